import { randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { Pseudonimizzatore } from '../shared/audit/pseudonimi';
import { Registri } from '../shared/audit/registri';
import { conservazioneInps, conservazioneParte } from '../shared/audit/conservazione';
import { verificaRegistro } from '../shared/audit/catena';
import { cercaAccessi } from '../shared/audit/supervisione';
import { registraDomanda } from '../services/inps/core/domande';
import { scenario } from '../infra/demo/dataset';
import { TestDatabase } from './support/database';
import { regole } from './support/inps-lifecycle';

/**
 * Retention: after the configured period the personal data of closed istruttorie (and of the packets the parties
 * hold) is replaced by keyed pseudonyms or removed; the chained logs stay verifiable; old accesses remain
 * searchable by codice fiscale; the job reports what it did.
 */
let db: TestDatabase;
let inps: Pool;
let agency: Pool;
let hub: Pool;
let registriInps: Registri;
const pseudonimi = new Pseudonimizzatore(randomBytes(32));
const DAY = 86_400_000;
const T0 = new Date('2026-01-10T09:00:00Z');

beforeAll(async () => {
  db = await TestDatabase.create('retention', 'inps', ['messaging', 'inps', 'audit']);
  inps = db.pool('inps');
  const a = await TestDatabase.create('retention_agency', 'anpal', ['messaging', 'agency', 'audit']);
  agency = a.pool('anpal');
  afterAllDrop.push(a);
  const h = await TestDatabase.create('retention_hub', 'hub', ['messaging', 'hub', 'audit']);
  hub = h.pool('hub');
  afterAllDrop.push(h);
  registriInps = new Registri(inps, pseudonimi);
});

const afterAllDrop: TestDatabase[] = [];
afterAll(async () => {
  await db?.drop();
  for (const d of afterAllDrop) await d.drop();
});

async function chiusa(protocollo: string, chiusaIl: Date, chiave: 'conforme' | 'domestico-e-asilo' = 'conforme'): Promise<{ id: string; cf: string }> {
  const d = scenario(chiave).domanda(protocollo, T0);
  const r = await registraDomanda(inps, d, { id: 'INPS-OP-1', ufficio: 'Roma' }, T0, regole());
  await inps.query(`UPDATE istruttoria SET stato = 'CHIUSA', esito_verifica = 'CONFORME', regola_chiusura = 'ESITI_ARCHIVI', chiusa_il = $2 WHERE id = $1`, [r.idIstruttoria, chiusaIl]);
  await registriInps.registraAccesso({
    requestId: randomUUID(), at: T0, service: '/ape/istruttoria', operation: 'PresentaDomanda', identity: 'INPS_ISTRUTTORIA', certificateSubject: 'CN=x',
    operatore: { id: 'INPS-OP-1', ufficio: 'Roma' }, remoteAddress: '127.0.0.1', outcome: 'ACCETTATA', faultCode: null, durationMs: 3,
    riferimenti: { idIstruttoria: r.idIstruttoria }, codiceFiscale: d.richiedente.codiceFiscale,
  });
  return { id: r.idIstruttoria, cf: d.richiedente.codiceFiscale };
}

test('a closed istruttoria past the period is pseudonymised, its removal recorded, the chains still verify', async () => {
  const vecchia = await chiusa('INPS.RET.0001', new Date(T0.getTime() + 10 * DAY));
  const recente = await chiusa('INPS.RET.0002', new Date(T0.getTime() + 700 * DAY));
  const domestica = await chiusa('INPS.RET.0003', new Date(T0.getTime() + 10 * DAY), 'domestico-e-asilo');
  const now = new Date(T0.getTime() + 750 * DAY);

  const rapporto = await conservazioneInps(inps, registriInps, now, 730);
  expect(rapporto).toEqual({ oggetto: 'istruttoria', trattati: 2 });

  const d = (await inps.query("SELECT codice_fiscale, cognome, nome, data_nascita FROM domanda WHERE protocollo = 'INPS.RET.0001'")).rows[0];
  expect(d).toEqual({ codice_fiscale: pseudonimi.codiceFiscale(vecchia.cf), cognome: '[rimosso]', nome: '[rimosso]', data_nascita: null });
  const p = (await inps.query('SELECT contenuto FROM pacchetto WHERE istruttoria_id = $1', [vecchia.id])).rows;
  expect(p.length).toBe(3);
  for (const x of p) expect(x.contenuto.lavoratore.codiceFiscale).toBe(pseudonimi.codiceFiscale(vecchia.cf));
  expect(JSON.stringify(p)).not.toContain(vecchia.cf);
  // A domestic employer is a person: pseudonymised too.
  const dom = (await inps.query("SELECT datore_codice_fiscale, datore_denominazione, codice_rapporto_domestico FROM attestazione a JOIN istruttoria i ON i.domanda_id = a.domanda_id WHERE i.id = $1 AND a.tipo = 'DATORE_DOMESTICO'", [domestica.id])).rows[0];
  expect(dom).toEqual({ datore_codice_fiscale: expect.stringMatching(/^PS1-/), datore_denominazione: '[rimosso]', codice_rapporto_domestico: null });
  // Nor does the household wait, under its own code, for the five-workers rule (one worker: never examined).
  const inAttesa = await inps.query('SELECT datore_codice_fiscale FROM stesso_datore_da_esaminare q JOIN istruttoria i ON i.domanda_id = q.domanda_id WHERE i.id = $1', [domestica.id]);
  expect(inAttesa.rows).toEqual([]);

  const untouched = (await inps.query("SELECT codice_fiscale FROM domanda WHERE protocollo = 'INPS.RET.0002'")).rows[0];
  expect(untouched.codice_fiscale).toBe(recente.cf);

  const log = (await inps.query('SELECT oggetto, chiave, azione, impronta_rimossa FROM registro_conservazione ORDER BY seq')).rows;
  expect(log.map((r) => r.chiave).sort()).toEqual([vecchia.id, domestica.id].sort());
  expect(log.every((r) => r.azione === 'PSEUDONIMIZZATO' && /^[0-9a-f]{64}$/.test(r.impronta_rimossa))).toBe(true);
  for (const r of ['registro_accessi', 'registro_messaggi', 'registro_conservazione'] as const) expect((await verificaRegistro(inps, r)).integro).toBe(true);

  // The supervisor still finds the old accesses to this citizen by codice fiscale, and the domanda by the same key.
  // (Mario Rossi submitted both the old and the recent domanda.)
  const accessi = (await cercaAccessi(inps, { interessato: pseudonimi.codiceFiscale(vecchia.cf) })).accessi;
  expect(accessi.map((a) => a.riferimenti.idIstruttoria).sort()).toEqual([vecchia.id, recente.id].sort());
  expect((await inps.query('SELECT count(*)::int AS n FROM domanda WHERE codice_fiscale = $1', [pseudonimi.codiceFiscale(vecchia.cf)])).rows[0].n).toBe(1);

  expect(await conservazioneInps(inps, registriInps, now, 730)).toEqual({ oggetto: 'istruttoria', trattati: 0 });
});

test('an istruttoria awaiting re-examination keeps its data', async () => {
  const c = await chiusa('INPS.RET.0100', new Date(T0.getTime() + 5 * DAY));
  await inps.query(`UPDATE istruttoria SET riesame_il = $2, riesame_motivo = 'esito accertamento' WHERE id = $1`, [c.id, new Date(T0.getTime() + 20 * DAY)]);
  await conservazioneInps(inps, registriInps, new Date(T0.getTime() + 900 * DAY), 730);
  expect((await inps.query("SELECT codice_fiscale FROM domanda WHERE protocollo = 'INPS.RET.0100'")).rows[0].codice_fiscale).toBe(c.cf);
});

test("a party's delivered packets are pseudonymised after its own period; pending ones are kept", async () => {
  const registri = new Registri(agency, pseudonimi);
  const cf = 'RSSMRA60A01H501Q';
  const contenuto = (id: string) => JSON.stringify({ idPacchetto: id, lavoratore: { codiceFiscale: cf }, rapporti: [] });
  const consegnato = randomUUID();
  const inCorso = randomUUID();
  for (const [id, stato] of [[consegnato, 'ESITO_CONSEGNATO'], [inCorso, 'VERIFICATO']] as const) {
    await agency.query(
      `INSERT INTO pacchetto_ricevuto (id_pacchetto, correlation_id, reply_to, mittente, operatore_id, operatore_ufficio, contenuto, impronta, ricevuto_il, stato)
       VALUES ($1, $2, 'https://inps/ape/esiti', 'MINLAVORO', 'OP', 'U', $3, 'x', $4, $5)`,
      [id, randomUUID(), contenuto(id), T0, stato],
    );
  }
  const r = await conservazioneParte(agency, registri, new Date(T0.getTime() + 100 * DAY), 90, ['pacchetto_ricevuto', 'accertamento']);
  expect(r).toEqual([{ oggetto: 'pacchetto_ricevuto', trattati: 1 }, { oggetto: 'accertamento', trattati: 0 }]);
  const rows = (await agency.query('SELECT id_pacchetto, contenuto FROM pacchetto_ricevuto')).rows;
  expect(rows.find((x) => x.id_pacchetto === consegnato).contenuto.lavoratore.codiceFiscale).toBe(pseudonimi.codiceFiscale(cf));
  expect(rows.find((x) => x.id_pacchetto === inCorso).contenuto.lavoratore.codiceFiscale).toBe(cf);
  expect((await verificaRegistro(agency, 'registro_conservazione')).integro).toBe(true);
});

test("the hub's forwarded packets lose the codice fiscale, in their content and in the signed payload it kept to forward", async () => {
  const registri = new Registri(hub, pseudonimi);
  const cf = 'RSSMRA60A01H501Q';
  const id = randomUUID();
  await hub.query(
    `INSERT INTO pacchetto_inoltro (id_pacchetto, correlation_id, destinatario, reply_to, operatore_id, operatore_ufficio, contenuto, corpo, impronta, ricevuto_il, stato)
     VALUES ($1, $2, 'ANPAL', 'https://inps/ape/esiti', 'OP', 'U', $3, $4, 'x', $5, 'INOLTRATO')`,
    [id, randomUUID(), JSON.stringify({ idPacchetto: id, lavoratore: { codiceFiscale: cf }, rapporti: [] }), `<pac:VerificaPacchetto><pac:CodiceFiscale>${cf}</pac:CodiceFiscale></pac:VerificaPacchetto>`, T0],
  );
  const r = await conservazioneParte(hub, registri, new Date(T0.getTime() + 100 * DAY), 90, ['pacchetto_inoltro']);
  expect(r).toEqual([{ oggetto: 'pacchetto_inoltro', trattati: 1 }]);
  const row = (await hub.query('SELECT contenuto, corpo FROM pacchetto_inoltro WHERE id_pacchetto = $1', [id])).rows[0];
  expect(row.contenuto.lavoratore.codiceFiscale).toBe(pseudonimi.codiceFiscale(cf));
  expect(row.corpo).toBeNull();
  expect((await verificaRegistro(hub, 'registro_conservazione')).integro).toBe(true);
});
