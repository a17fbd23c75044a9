import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { applicaNotificaAccertamento } from '../../services/inps/core/accertamenti';
import { registraDomanda } from '../../services/inps/core/domande';
import { applicaEsito } from '../../services/inps/core/esiti';
import { datiDaVerificare } from '../../shared/domain/competenza';
import type { EsitoDato } from '../../shared/domain/types';
import { ACCOUNT_DEMO } from '../../services/inps/console/utenti';
import { calendarioPratica, domanda, nuovoDatore, pacchettiDi, presaInCarico, rapportoEdile, regole } from './inps-lifecycle';

/**
 * Istruttorie in the states officers look for, written by the INPS core's own functions: one closed NON_CONFORME
 * (MINLAVORO found the declared livello "3S" where its archive holds "4"), one in VALUTAZIONE_INL with INL's
 * inspection under way, and one still waiting on INAIL. Presented on 1 July 2026: the 2nd window (by 15/07/2026,
 * graduatoria by 15/10/2026).
 */
export const REGOLE = regole({ calendario: calendarioPratica(2026, 2027) });
/** The case systems' operator who submits them: of the demo officer's own office (sede). */
export const OPERATORE_SEDE = { id: 'INPS-OP-TEST', ufficio: ACCOUNT_DEMO[0].ufficio };

const ore = (d: Date, n: number) => new Date(d.getTime() + n * 3_600_000);

export interface IstruttorieSeminate {
  nonConforme: { id: string; protocollo: string; datore: string };
  valutazioneInl: { id: string; protocollo: string };
  inVerifica: { id: string; protocollo: string };
}

async function esito(pool: Pool, p: { id: string; destinatario: 'MINLAVORO' | 'ANPAL' | 'INAIL' | 'INL'; contenuto: { rapporti: Parameters<typeof datiDaVerificare>[1][] } }, corr: string, at: Date, scelta: (dato: string) => Pick<EsitoDato, 'esito' | 'nota'>): Promise<void> {
  const esitiDato: EsitoDato[] = p.contenuto.rapporti.flatMap((r) =>
    datiDaVerificare(p.destinatario, r).map((dato) => {
      const s = scelta(dato);
      return { riferimento: r.riferimento, dato, esito: s.esito, ...(s.nota !== undefined && { nota: s.nota }) };
    }),
  );
  await applicaEsito(pool, { idPacchetto: p.id, ente: p.destinatario, dataEsito: at, esitiDato }, { correlationId: corr, enteChiamante: p.destinatario, operatore: { id: `SYS-${p.destinatario}`, ufficio: p.destinatario }, now: at, regole: REGOLE });
}

export async function seminaIstruttorie(pool: Pool, t0: Date, prefisso = 'INPS.CONSOLE'): Promise<IstruttorieSeminate> {
  const presenta = async (protocollo: string, livello?: string) => {
    const datore = nuovoDatore();
    const a = rapportoEdile(1, datore, '2010-03-01');
    const d = domanda({ protocollo, presentazione: t0, attestazioni: [livello ? { ...a, livello } : a] });
    const r = await registraDomanda(pool, d, OPERATORE_SEDE, t0, REGOLE);
    return { id: r.idIstruttoria, datore: datore.denominazione };
  };
  const tutti = async (id: string, at: Date) => {
    const out = [];
    for (const [, p] of await pacchettiDi(pool, id)) out.push({ p, corr: await presaInCarico(pool, p, at, REGOLE) });
    return out;
  };

  const nc = await presenta(`${prefisso}.NC`, '3S');
  for (const { p, corr } of await tutti(nc.id, ore(t0, 1))) {
    await esito(pool, p as never, corr, ore(t0, 2), (dato) => (p.destinatario === 'MINLAVORO' && dato === 'LIVELLO_INQUADRAMENTO' ? { esito: 'NON_CONFORME', nota: 'livello in archivio: 4' } : { esito: 'CONFORME' }));
  }

  const inl = await presenta(`${prefisso}.INL`);
  for (const { p, corr } of await tutti(inl.id, ore(t0, 1))) {
    await esito(pool, p as never, corr, ore(t0, 3), (dato) => (p.destinatario === 'ANPAL' && dato === 'PROFESSIONE_ISTAT' ? { esito: 'NON_VERIFICABILE', nota: 'professione non presente in archivio' } : { esito: 'CONFORME' }));
  }
  const seg = await pool.query<{ id: string }>('SELECT id FROM segnalazione_inl WHERE istruttoria_id = $1', [inl.id]);
  await applicaNotificaAccertamento(pool, { idSegnalazione: seg.rows[0]!.id, stato: 'AVVIATO', idAccertamento: randomUUID(), dataEvento: ore(t0, 4) }, { correlationId: randomUUID(), operatore: { id: 'SYS-INL', ufficio: 'INL' }, now: ore(t0, 4), regole: REGOLE });

  const iv = await presenta(`${prefisso}.IV`);
  for (const { p, corr } of await tutti(iv.id, ore(t0, 1))) {
    if (p.destinatario !== 'INAIL') await esito(pool, p as never, corr, ore(t0, 2), () => ({ esito: 'CONFORME' }));
  }
  return {
    nonConforme: { id: nc.id, protocollo: `${prefisso}.NC`, datore: nc.datore },
    valutazioneInl: { id: inl.id, protocollo: `${prefisso}.INL` },
    inVerifica: { id: iv.id, protocollo: `${prefisso}.IV` },
  };
}
