import type { Pool } from 'pg';
import { parteDi } from '../../../shared/domain/types';
import { ApeError, toError } from '../../../shared/errors';
import type { FederationConfig } from '../../../shared/config/schema';
import { schemaOf } from '../../../shared/runtime/schemas';
import type { Schemi } from './traccia';
import { vistaHub, vistaInps, vistaParte, type Vista } from './storia-viste';

/**
 * npm run ops -- storia: a packet's delivery history. With --ente, that service's view; without, INPS's and, when
 * this configuration reaches them (the local federation: one database, one schema per service), the hub's and
 * the recipient's. Every view consulted is an access in that service's trace.
 */
export async function storia(schemi: Schemi, config: FederationConfig, idPacchetto: string, ente?: string): Promise<void> {
  if (ente !== undefined) {
    const e = ente.toUpperCase();
    const s = schemi.di(e);
    const vista = e === 'INPS' ? await vistaInps(s.pool, idPacchetto) : e === 'HUB' ? await vistaHub(s.pool, idPacchetto) : await vistaParte(s.pool, e, idPacchetto);
    await s.traccia('storia', { idPacchetto });
    if (!vista) throw new ApeError('PACCHETTO_NON_TROVATO', `nessuna traccia del pacchetto ${idPacchetto} presso ${e}`);
    stampa(vista);
    return;
  }
  const inps = schemi.di('INPS');
  const vista = await vistaInps(inps.pool, idPacchetto);
  await inps.traccia('storia', { idPacchetto });
  if (!vista) throw new ApeError('PACCHETTO_NON_TROVATO', `nessun pacchetto ${idPacchetto} presso INPS (con --ente HUB o --ente <parte> si consulta la loro vista)`);
  stampa(vista);
  const altre = [...(config.routing === 'hub' ? ['HUB'] : []), vista.destinatario];
  for (const e of altre) {
    if (config.parte && parteDi(e) !== config.parte) {
      // A party's file reaches its own schemas only: the others' view is read with their file.
      console.log(`\n== ${e} ==\n  vista di ${e}, con la sua configurazione: npm run ops -- storia --pacchetto ${idPacchetto} --ente ${e}`);
      continue;
    }
    try {
      // In a party's file the others' schemas are not there: schemaOf says whose file to use.
      const schema = schemaOf(config, e);
      const s = schemi.di(e);
      if (!(await raggiungibile(s.pool, schema))) {
        console.log(`\n== ${e} ==\n  schema ${schema} non raggiungibile con questa configurazione: consultare ${e} (--ente ${e} con la sua configurazione)`);
        continue;
      }
      const v = e === 'HUB' ? await vistaHub(s.pool, idPacchetto) : await vistaParte(s.pool, e, idPacchetto);
      await s.traccia('storia', { idPacchetto });
      if (v) stampa(v);
      else console.log(`\n== ${e} ==\n  nessuna traccia del pacchetto presso ${e}`);
    } catch (err) {
      console.log(`\n== ${e} ==\n  vista non consultabile: ${toError(err).message}`);
    }
  }
}

/** Whether this database holds the service's schema and the role may read it. */
async function raggiungibile(pool: Pool, schema: string): Promise<boolean> {
  const r = await pool.query<{ ok: boolean }>(
    // has_schema_privilege fails on a schema that does not exist: asked only when it does.
    `SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) THEN has_schema_privilege($1, 'USAGE') ELSE false END AS ok`,
    [schema],
  );
  return r.rows[0]?.ok === true;
}

function stampa(v: Vista): void {
  console.log(`\n== ${v.ente} ==`);
  const w = Math.max(...v.intestazione.map(([k]) => k.length));
  for (const [k, val] of v.intestazione) console.log(`  ${k.padEnd(w)}  ${val}`);
  const voci = [...v.cronologia].sort((a, b) => a.il.getTime() - b.il.getTime() || a.rango - b.rango);
  console.log(`  cronologia (${voci.length} ${voci.length === 1 ? 'voce' : 'voci'}):`);
  const wf = Math.max(0, ...voci.map((x) => x.fonte.length));
  const wc = Math.max(0, ...voci.map((x) => x.cosa.length));
  for (const x of voci) console.log(`  ${x.il.toISOString()}  ${x.fonte.padEnd(wf)}  ${x.cosa.padEnd(wc)}  ${x.dettaglio}`);
}
