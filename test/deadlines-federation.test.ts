import { scenario } from '../infra/demo/dataset';
import type { SistemaIstruttorio } from '../infra/clients/sistema-istruttorio';
import { concludiAccertamento, decidiAccertamento } from '../services/ente/inl/accertamenti';
import { eventually } from './support/eventually';
import { TestFederation } from './support/federation';

/**
 * The legal timeline across the whole federation, with time moved for every process at once (file clock), never
 * waited for: INAIL's node is down for a simulated week; its packet goes overdue, a reminder goes out, the case
 * goes to INL; INAIL's late esito is applied; INL (deciding by hand here) opens an inspection; the 30-day limit
 * closes the istruttoria on the self-declarations; the inspector's outcome arrives after closure and flags the
 * case for re-examination.
 */
const DAY = 86_400_000;
let fed: TestFederation;
let client: SistemaIstruttorio;
type Stato = Record<string, unknown> & { Stato: string };

beforeAll(async () => {
  fed = await TestFederation.start({
    name: 'deadlines-federation',
    fileClock: true,
    schedulerPollMs: 100,
    inlApertura: 'manuale',
    retryDelaysMs: [200, 500, 1000],
  });
  client = await fed.caseSystem();
});

afterAll(async () => {
  await fed?.stop();
});

const pacchetto = (s: Stato, ente: string) =>
  ([] as Array<Record<string, unknown>>).concat((s.Pacchetti as { Pacchetto: Array<Record<string, unknown>> }).Pacchetto).find((p) => p.Destinatario === ente)!;
const eventi = (s: Stato) => ([] as Array<{ Tipo: string; Descrizione: string }>).concat((s.Eventi as { Evento: Array<{ Tipo: string; Descrizione: string }> }).Evento);
const stato = (id: string) => client.statoIstruttoria({ IdIstruttoria: id }) as Promise<Stato>;

test('a party silent for five days, a reminder, INL, a late esito, the 30-day limit and an inspection outcome after closure', async () => {
  await fed.stopProcess('agency-inail');
  const ricevuta = await client.presentaDomanda(scenario('conforme').domanda('INPS.SCAD.0001', fed.now()));
  const id = ricevuta.idIstruttoria;

  // MINLAVORO and ANPAL answer; INAIL's packet is acknowledged by the hub (its 5 days run) but never answered.
  const attesa = await eventually(async () => {
    const s = await stato(id);
    return pacchetto(s, 'MINLAVORO').Stato === 'RISPOSTO' && pacchetto(s, 'ANPAL').Stato === 'RISPOSTO' && pacchetto(s, 'INAIL').Stato === 'INVIATO' ? s : undefined;
  }, { what: 'two esiti and the INAIL packet acknowledged' });
  expect(attesa.Stato).toBe('IN_VERIFICA');
  const scadenza = pacchetto(attesa, 'INAIL').ScadenzaEsito as Date;
  expect(scadenza.getTime()).toBeGreaterThan(fed.now().getTime() + 4 * DAY);

  // Six days later: overdue, reminder sent, the case goes to INL as for data not verifiable.
  fed.advanceClock(6 * DAY);
  const scaduta = await eventually(async () => {
    const s = await stato(id);
    return s.Stato === 'VALUTAZIONE_INL' && s.Accertamento ? s : undefined;
  }, { what: 'the overdue packet to send the case to INL' });
  expect(pacchetto(scaduta, 'INAIL')).toMatchObject({ Stato: 'SCADUTO', SollecitatoIl: expect.any(Date) });
  expect(scaduta.EsitoVerifica).toBe('NON_VERIFICABILE');
  expect(eventi(scaduta).map((e) => e.Tipo)).toEqual(expect.arrayContaining(['PACCHETTO_SCADUTO', 'VALUTAZIONE_INL_AVVIATA']));
  const idSegnalazione = String((scaduta.Accertamento as { IdSegnalazione: string }).IdSegnalazione);
  const inl = fed.pool('inl');
  const caso = await eventually(async () => (await inl.query<{ contenuto: { datiNonVerificati: Array<{ ente: string; motivo: string }> } }>('SELECT contenuto FROM accertamento WHERE id_segnalazione = $1', [idSegnalazione])).rows[0], { what: 'the case at INL' });
  expect(caso.contenuto.datiNonVerificati.every((d) => d.ente === 'INAIL' && d.motivo === 'ESITO_NON_PERVENUTO')).toBe(true);

  // INAIL comes back: the hub delivers the packet it kept, INAIL answers late; INPS applies it and marks it late.
  await fed.startProcess('agency-inail');
  const tardiva = await eventually(async () => {
    const s = await stato(id);
    return pacchetto(s, 'INAIL').Stato === 'RISPOSTO' ? s : undefined;
  }, { timeoutMs: 60_000, what: "INAIL's late esito" });
  expect(pacchetto(tardiva, 'INAIL')).toMatchObject({ Esito: 'CONFORME', InRitardo: true });
  expect(tardiva.Stato).toBe('VALUTAZIONE_INL');
  expect(eventi(tardiva).map((e) => e.Tipo)).toContain('ESITO_IN_RITARDO');
  const reminders = await eventually(async () => (await fed.pool('inail').query('SELECT azione FROM sollecito_ricevuto')).rows[0], { what: 'the reminder at INAIL' });
  expect(reminders).toBeDefined();

  // An inspector opens an inspection; INPS learns of it.
  await decidiAccertamento(inl, idSegnalazione, true, { id: 'INL-ISP-0042', ufficio: 'ITL Roma' }, fed.now(), 'verifica in cantiere');
  await eventually(async () => ((await stato(id)).Accertamento as { Stato?: string }).Stato === 'AVVIATO', { what: 'the inspection opened at INPS' });

  // Thirty days from submission pass without an outcome: INPS closes on the self-declarations.
  fed.advanceClock(25 * DAY);
  const chiusa = await eventually(async () => {
    const s = await stato(id);
    return s.Stato === 'CHIUSA' ? s : undefined;
  }, { what: 'closure at the 30-day limit' });
  expect(chiusa.RegolaChiusura).toBe('AUTOCERTIFICAZIONI_TERMINE');
  expect(eventi(chiusa).map((e) => e.Tipo)).toContain('LIMITE_RAGGIUNTO');
  expect(chiusa.Riesame).toBeUndefined();

  // The inspector's outcome arrives after closure and contradicts it: recorded, riesame flagged.
  await concludiAccertamento(inl, idSegnalazione, 'REQUISITI_NON_CONFERMATI', { id: 'INL-ISP-0042', ufficio: 'ITL Roma' }, fed.now(), 'mansioni impiegatizie');
  const riesame = await eventually(async () => {
    const s = await stato(id);
    return s.Riesame ? s : undefined;
  }, { what: 'riesame after the inspection outcome' });
  expect(riesame.Stato).toBe('CHIUSA');
  expect(riesame.Accertamento).toMatchObject({ Stato: 'CONCLUSO', Esito: 'REQUISITI_NON_CONFERMATI' });
  expect(String((riesame.Riesame as { Motivo: string }).Motivo)).toContain('REQUISITI_NON_CONFERMATI');
  const op = await fed.pool('inps').query("SELECT operatore_id FROM notifica_accertamento WHERE stato = 'CONCLUSO'");
  expect(op.rows).toEqual([{ operatore_id: 'INL-ISP-0042' }]);
});

test('every party hears of each esito on an istruttoria it works on (art. 4), minimised', async () => {
  const r = await client.presentaDomanda(scenario('turni-inl').domanda('INPS.SCAD.0002', fed.now()));
  await eventually(async () => (await stato(r.idIstruttoria)).Stato === 'CHIUSA', { what: 'closure' });
  for (const [ente, altre] of [['minlavoro', ['ANPAL', 'INL']], ['anpal', ['INL', 'MINLAVORO']], ['inl', ['ANPAL', 'MINLAVORO']]] as const) {
    const rows = await eventually(async () => {
      const q = await fed.pool(ente).query<{ ente_rispondente: string; esito: string; protocollo: string }>(
        'SELECT ente_rispondente, esito, protocollo FROM riscontro WHERE id_istruttoria = $1 ORDER BY ente_rispondente',
        [r.idIstruttoria],
      );
      return q.rows.length === 2 ? q.rows : undefined;
    }, { what: `notices at ${ente}` });
    expect(rows.map((x) => x.ente_rispondente)).toEqual(altre);
    expect(rows.every((x) => x.esito === 'CONFORME' && x.protocollo === 'INPS.SCAD.0002')).toBe(true);
  }
});
