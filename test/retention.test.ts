import { randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { Pseudonimizzatore } from '../shared/audit/pseudonimi';
import { Registri } from '../shared/audit/registri';
import { conservazioneInps, conservazioneParte } from '../shared/audit/conservazione';
import { verificaRegistro } from '../shared/audit/catena';
import { cercaAccessi } from '../shared/audit/supervisione';
import { registraDomanda } from '../services/inps/core/domande';
import { indiciRegistrati, registraIndici } from '../services/inps/core/indici';
import { indiceStessoDatore, indiciElusivi, indiciImpreseCessate } from '../services/inps/core/indici-inl';
import { creaMessaggio } from '../services/inps/core/messaggi';
import { withTransaction } from '../shared/db/pool';
import { conControllo } from '../shared/domain/codice-fiscale';
import type { Attestazione } from '../shared/domain/types';
import { DATORI, LAVORATORI, scenario } from '../infra/demo/dataset';
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

/** A sole trader: a person, named by a 16-character code; its name is a person's too. */
const DITTA = { codiceFiscale: conControllo('FRRLDA55C10F839'), denominazione: 'Ferri Aldo - impianti elettrici', matricolaInps: '2718281828', patInail: '31415926' };
const DITTA_CESSATA_IL = '2011-12-31';

/** A relation with the sole trader, ended when its business ceased. */
function rapportoDitta(riferimento: number): Attestazione {
  return { riferimento, tipo: 'DATORE_PRIVATO_PA', datore: { ...DITTA }, periodo: { dal: '2008-01-07', al: DITTA_CESSATA_IL }, ccnl: 'F012', livello: '2', categoria: 'A', professioneIstat: '6.1.2.1', vociTariffaInail: ['3110'] };
}

async function chiusa(protocollo: string, chiusaIl: Date, chiave: 'conforme' | 'domestico-e-asilo' = 'conforme', altre: Attestazione[] = []): Promise<{ id: string; cf: string }> {
  const s = scenario(chiave).domanda(protocollo, T0);
  const d = { ...s, attestazioni: [...s.attestazioni, ...altre] };
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

test('employers who are persons (a household, a sole trader) lose their codes and names wherever the istruttoria copied them; a company keeps its code', async () => {
  const FAMIGLIA = DATORI.famiglia;
  const COMUNE = DATORI.comune;
  const ps = (cf: string) => pseudonimi.codiceFiscale(cf);
  const c = await chiusa('INPS.RET.0200', new Date(T0.getTime() + 10 * DAY), 'domestico-e-asilo', [rapportoDitta(3)]);
  const attestazioni = [...scenario('domestico-e-asilo').domanda('INPS.RET.0200', T0).attestazioni, rapportoDitta(3)];
  // INL triggers on the sole trader (five workers, ceased), on the public body (ceased) and on the household (a
  // watch-list motivo quoting its code), written as INPS writes them, then the case for INL that carries them.
  const rilevato = new Date(T0.getTime() + DAY);
  await withTransaction(inps, async (tx) => {
    await registraIndici(tx, c.id, [
      indiceStessoDatore(DITTA.codiceFiscale, 6, 5, 365)!,
      ...indiciImpreseCessate(attestazioni, new Map([[COMUNE.codiceFiscale, '2020-01-31'], [DITTA.codiceFiscale, DITTA_CESSATA_IL]])),
      ...indiciElusivi(c.cf, attestazioni, [{ tipo: 'DATORE', codiceFiscale: FAMIGLIA.codiceFiscale, motivo: `rapporto di ${FAMIGLIA.codiceFiscale} non denunciato`, ente: 'INL' }]),
    ], rilevato);
    const indici = await indiciRegistrati(tx, c.id);
    const idSegnalazione = randomUUID();
    await creaMessaggio(tx, {
      id: idSegnalazione, istruttoriaId: c.id, destinatario: 'INL', now: rilevato,
      corpo: {
        tipo: 'SEGNALAZIONE',
        segnalazione: {
          idSegnalazione, idIstruttoria: c.id, protocolloDomanda: 'INPS.RET.0200', tipoDomanda: 'PRECOCI', destinatario: 'INL', limiteAttesa: rilevato.toISOString(),
          lavoratore: { codiceFiscale: c.cf },
          rapporti: attestazioni.map((a) => ({ riferimento: a.riferimento, datore: { codiceFiscale: a.datore.codiceFiscale }, periodo: { ...a.periodo }, categoria: a.categoria })),
          datiNonVerificati: [],
          indici,
        },
      },
    });
  });
  const indiciPrima = (await inps.query('SELECT codice, datore_cf, descrizione FROM indice_inl WHERE istruttoria_id = $1 ORDER BY id', [c.id])).rows;
  expect(indiciPrima.map((i) => i.codice)).toEqual(['CINQUE_LAVORATORI_STESSO_DATORE', 'IMPRESA_CESSATA', 'IMPRESA_CESSATA', 'INDICE_ELUSIVO']);
  expect(indiciPrima[2].descrizione).toContain(DITTA.denominazione);

  await conservazioneInps(inps, registriInps, new Date(T0.getTime() + 750 * DAY), 730);

  const att = (await inps.query('SELECT riferimento, datore_codice_fiscale, datore_denominazione, codice_rapporto_domestico, matricola_inps, pat_inail FROM attestazione a JOIN istruttoria i ON i.domanda_id = a.domanda_id WHERE i.id = $1 ORDER BY riferimento', [c.id])).rows;
  // The sole trader's INPS and INAIL positions go with its code; the public body's stay.
  expect(att).toEqual([
    { riferimento: 1, datore_codice_fiscale: ps(FAMIGLIA.codiceFiscale), datore_denominazione: '[rimosso]', codice_rapporto_domestico: null, matricola_inps: null, pat_inail: null },
    { riferimento: 2, datore_codice_fiscale: COMUNE.codiceFiscale, datore_denominazione: COMUNE.denominazione, codice_rapporto_domestico: null, matricola_inps: COMUNE.matricolaInps, pat_inail: null },
    { riferimento: 3, datore_codice_fiscale: ps(DITTA.codiceFiscale), datore_denominazione: '[rimosso]', codice_rapporto_domestico: null, matricola_inps: null, pat_inail: null },
  ]);
  // The triggers keep their meaning: the employer as its pseudonym, the sole trader's name gone, the body's kept.
  const indici = (await inps.query('SELECT codice, datore_cf, descrizione FROM indice_inl WHERE istruttoria_id = $1 ORDER BY id', [c.id])).rows;
  expect(indici).toEqual([
    { codice: 'CINQUE_LAVORATORI_STESSO_DATORE', datore_cf: ps(DITTA.codiceFiscale), descrizione: indiciPrima[0].descrizione },
    { codice: 'IMPRESA_CESSATA', datore_cf: COMUNE.codiceFiscale, descrizione: `${COMUNE.denominazione} risulta cessata dal 2020-01-31` },
    { codice: 'IMPRESA_CESSATA', datore_cf: ps(DITTA.codiceFiscale), descrizione: `[rimosso] risulta cessata dal ${DITTA_CESSATA_IL}` },
    { codice: 'INDICE_ELUSIVO', datore_cf: ps(FAMIGLIA.codiceFiscale), descrizione: `datore di lavoro in lista di osservazione INL: rapporto di ${ps(FAMIGLIA.codiceFiscale)} non denunciato` },
  ]);
  // Their timeline events say what the triggers now say.
  const eventi = (await inps.query("SELECT dettagli FROM evento WHERE istruttoria_id = $1 AND tipo = 'INDICE_INL_RILEVATO' ORDER BY id", [c.id])).rows;
  expect(eventi.map((e) => e.dettagli.descrizione)).toEqual(indici.map((i) => i.descrizione));
  // The case for INL: its relations and triggers, as the istruttoria's.
  const [segnalazione] = (await inps.query("SELECT corpo FROM messaggio_uscita WHERE istruttoria_id = $1 AND tipo = 'SEGNALAZIONE'", [c.id])).rows.map((r) => r.corpo.segnalazione);
  expect(segnalazione.lavoratore.codiceFiscale).toBe(ps(c.cf));
  expect(segnalazione.rapporti.map((r: { datore: { codiceFiscale: string } }) => r.datore.codiceFiscale)).toEqual([ps(FAMIGLIA.codiceFiscale), COMUNE.codiceFiscale, ps(DITTA.codiceFiscale)]);
  expect(segnalazione.indici).toEqual(indici.map((i) => ({ codice: i.codice, datore: i.datore_cf, descrizione: i.descrizione })));
  // The packets: every relation's employer as in the attestazioni, the sole trader's among them.
  const pacchetti = (await inps.query('SELECT contenuto FROM pacchetto WHERE istruttoria_id = $1', [c.id])).rows.map((r) => r.contenuto);
  const datoriPacchetti = pacchetti.flatMap((p) => p.rapporti.map((r: { riferimento: number; datore: { codiceFiscale: string } }) => [r.riferimento, r.datore.codiceFiscale]));
  expect(datoriPacchetti).toContainEqual([3, ps(DITTA.codiceFiscale)]);
  for (const [riferimento, cf] of datoriPacchetti) expect(cf).toBe(att.find((a) => a.riferimento === riferimento).datore_codice_fiscale);

  // Nothing of either person survives in the rows of this istruttoria; the public body's code does.
  const righe = JSON.stringify([att, indici, eventi, segnalazione, pacchetti]);
  for (const personale of [DITTA.codiceFiscale, DITTA.denominazione, DITTA.matricolaInps, DITTA.patInail, FAMIGLIA.codiceFiscale, FAMIGLIA.denominazione, c.cf]) expect(righe).not.toContain(personale);
  expect(righe).toContain(COMUNE.codiceFiscale);
  const log = (await inps.query('SELECT azione, impronta_rimossa FROM registro_conservazione WHERE chiave = $1', [c.id])).rows;
  expect(log).toEqual([{ azione: 'PSEUDONIMIZZATO', impronta_rimossa: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
  expect((await verificaRegistro(inps, 'registro_conservazione')).integro).toBe(true);
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

test("a party's packets and INL's cases name employers who are persons by their pseudonyms, in relations and triggers; companies keep their codes", async () => {
  const registri = new Registri(agency, pseudonimi);
  const ps = (cf: string) => pseudonimi.codiceFiscale(cf);
  const IMPRESA = DATORI.edilizia;
  const cf = LAVORATORI.blu.codiceFiscale;
  const rapporti = [
    { riferimento: 1, datore: { codiceFiscale: DITTA.codiceFiscale, patInail: DITTA.patInail }, periodo: { dal: '2008-01-07', al: DITTA_CESSATA_IL }, categoria: 'A' },
    { riferimento: 2, datore: { codiceFiscale: IMPRESA.codiceFiscale, patInail: IMPRESA.patInail }, periodo: { dal: '2012-01-09' }, categoria: 'A' },
  ];
  // INL's triggers as INPS writes them: the sole trader's name heads its "ceased" description, and INL holds no
  // attestazione to learn it from.
  const attestazioni = [rapportoDitta(1), { ...rapportoDitta(2), datore: { ...IMPRESA } }];
  const indici = [
    indiceStessoDatore(DITTA.codiceFiscale, 5, 5, 365)!,
    ...indiciImpreseCessate(attestazioni, new Map([[DITTA.codiceFiscale, DITTA_CESSATA_IL], [IMPRESA.codiceFiscale, '2024-03-31']])),
  ];
  const idPacchetto = randomUUID();
  await agency.query(
    `INSERT INTO pacchetto_ricevuto (id_pacchetto, correlation_id, reply_to, mittente, operatore_id, operatore_ufficio, contenuto, impronta, ricevuto_il, stato)
     VALUES ($1, $2, 'https://inps/ape/esiti', 'MINLAVORO', 'OP', 'U', $3, 'x', $4, 'ESITO_CONSEGNATO')`,
    [idPacchetto, randomUUID(), JSON.stringify({ idPacchetto, lavoratore: { codiceFiscale: cf }, rapporti }), T0],
  );
  const idSegnalazione = randomUUID();
  await agency.query(
    `INSERT INTO accertamento (id_segnalazione, id_istruttoria, protocollo, correlation_id, reply_to, contenuto, impronta, ricevuto_il, limite_attesa, stato)
     VALUES ($1, $2, 'INPS.RET.0300', $3, 'https://inps/ape/esiti', $4, 'x', $5, $5, 'CONCLUSO')`,
    [idSegnalazione, randomUUID(), randomUUID(), JSON.stringify({ idSegnalazione, lavoratore: { codiceFiscale: cf }, rapporti, datiNonVerificati: [], indici }), T0],
  );

  const r = await conservazioneParte(agency, registri, new Date(T0.getTime() + 100 * DAY), 90, ['pacchetto_ricevuto', 'accertamento']);
  expect(r).toEqual([{ oggetto: 'pacchetto_ricevuto', trattati: 1 }, { oggetto: 'accertamento', trattati: 1 }]);

  const rapportiDopo = [
    { ...rapporti[0], datore: { codiceFiscale: ps(DITTA.codiceFiscale) } },
    rapporti[1],
  ];
  const pacchetto = (await agency.query('SELECT contenuto FROM pacchetto_ricevuto WHERE id_pacchetto = $1', [idPacchetto])).rows[0].contenuto;
  expect(pacchetto).toEqual({ idPacchetto, lavoratore: { codiceFiscale: ps(cf) }, rapporti: rapportiDopo });
  const caso = (await agency.query('SELECT contenuto FROM accertamento WHERE id_segnalazione = $1', [idSegnalazione])).rows[0].contenuto;
  expect(caso).toEqual({
    idSegnalazione, lavoratore: { codiceFiscale: ps(cf) }, rapporti: rapportiDopo, datiNonVerificati: [],
    indici: [
      { ...indici[0], datore: ps(DITTA.codiceFiscale) },
      { codice: 'IMPRESA_CESSATA', datore: ps(DITTA.codiceFiscale), descrizione: `[rimosso] risulta cessata dal ${DITTA_CESSATA_IL}` },
      { codice: 'IMPRESA_CESSATA', datore: IMPRESA.codiceFiscale, descrizione: `${IMPRESA.denominazione} risulta cessata dal 2024-03-31` },
    ],
  });
  for (const personale of [DITTA.codiceFiscale, DITTA.denominazione, DITTA.patInail]) expect(JSON.stringify([pacchetto, caso])).not.toContain(personale);
  const log = (await agency.query('SELECT oggetto, impronta_rimossa FROM registro_conservazione WHERE chiave = ANY($1) ORDER BY seq', [[idPacchetto, idSegnalazione]])).rows;
  expect(log).toEqual([
    { oggetto: 'pacchetto_ricevuto', impronta_rimossa: expect.stringMatching(/^[0-9a-f]{64}$/) },
    { oggetto: 'accertamento', impronta_rimossa: expect.stringMatching(/^[0-9a-f]{64}$/) },
  ]);
  expect((await verificaRegistro(agency, 'registro_conservazione')).integro).toBe(true);
});

test("the hub's forwarded packets lose the worker's and a sole trader's codes in their content, and the signed payload it kept to forward", async () => {
  const registri = new Registri(hub, pseudonimi);
  const cf = 'RSSMRA60A01H501Q';
  const id = randomUUID();
  // A sole trader's relation and a company's: the first employer is a person.
  const rapporti = (ditta: string) => [
    { riferimento: 1, datore: { codiceFiscale: ditta }, periodo: { dal: '2008-01-07' }, categoria: 'A' },
    { riferimento: 2, datore: { codiceFiscale: DATORI.edilizia.codiceFiscale }, periodo: { dal: '2012-01-09' }, categoria: 'A' },
  ];
  await hub.query(
    `INSERT INTO pacchetto_inoltro (id_pacchetto, correlation_id, destinatario, reply_to, operatore_id, operatore_ufficio, contenuto, corpo, impronta, ricevuto_il, stato)
     VALUES ($1, $2, 'ANPAL', 'https://inps/ape/esiti', 'OP', 'U', $3, $4, 'x', $5, 'INOLTRATO')`,
    [id, randomUUID(), JSON.stringify({ idPacchetto: id, lavoratore: { codiceFiscale: cf }, rapporti: rapporti(DITTA.codiceFiscale) }), `<pac:VerificaPacchetto><pac:CodiceFiscale>${cf}</pac:CodiceFiscale></pac:VerificaPacchetto>`, T0],
  );
  const r = await conservazioneParte(hub, registri, new Date(T0.getTime() + 100 * DAY), 90, ['pacchetto_inoltro']);
  expect(r).toEqual([{ oggetto: 'pacchetto_inoltro', trattati: 1 }]);
  const row = (await hub.query('SELECT contenuto, corpo FROM pacchetto_inoltro WHERE id_pacchetto = $1', [id])).rows[0];
  expect(row.contenuto.lavoratore.codiceFiscale).toBe(pseudonimi.codiceFiscale(cf));
  expect(row.contenuto.rapporti).toEqual(rapporti(pseudonimi.codiceFiscale(DITTA.codiceFiscale)));
  expect(row.corpo).toBeNull();
  expect((await verificaRegistro(hub, 'registro_conservazione')).integro).toBe(true);
});
