import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Pool } from 'pg';
import type { ContenutoPacchetto } from '../shared/domain/types';
import { RemoteFaultError } from '../shared/errors';
import { OPERATIONS } from '../shared/messages/contracts';
import { correlationHeader, operatoreHeader, replyToHeader } from '../shared/messages/envelope';
import { writeNotificaRiscontro, writeSegnalaCaso, writeSollecitaEsito, writeVerificaPacchetto } from '../shared/messages/pacchetto';
import { writeNotificaEsito } from '../shared/messages/esiti';
import { firmaOrigine } from '../shared/verifica-pacchetto/origine';
import type { Xml } from '../shared/xml/write';
import { TestFederation } from './support/federation';

/**
 * The hub cannot write a packet (issue 14, item 8). With routing "hub", the Ministero's hub and the Ministero's own
 * verifier used to share one identity, and the hub re-wrote every packet: with that certificate a made-up packet was
 * injected into INAIL, which checked an arbitrary codice fiscale against its archive and stored it. Now the hub has
 * an identity of its own, INPS signs what it writes, and every recipient verifies that signature before it reads a
 * field: whatever the hub's certificate brings that INPS did not write, or that was changed after INPS signed it, is
 * refused with ORIGINE_NON_VALIDA, and nothing is stored or looked up.
 *
 * The certificates are taken from the configuration (the hub's identity, the Ministero verifier's identity), so the
 * same tests ran against the code before this change and failed there.
 */
let fed: TestFederation;
let inail: Pool;
let inl: Pool;
let hubDb: Pool;
let inpsKey: { keyPem: string; certPem: string };
let hubKey: { keyPem: string; certPem: string };

beforeAll(async () => {
  fed = await TestFederation.start({ name: 'origine-federation', processes: ['inps-gateway', 'minlavoro-hub', 'agency-inail', 'agency-inl'] });
  inail = fed.pool('inail');
  inl = fed.pool('inl');
  hubDb = fed.pool('hub');
  const chiave = (code: string) => ({ keyPem: readFileSync(fed.identity(code).keyFile, 'utf8'), certPem: readFileSync(fed.identity(code).certFile, 'utf8') });
  inpsKey = chiave(fed.config.services.inpsDispatcher.identity);
  hubKey = chiave(fed.config.services.hub.identity);
});

afterAll(async () => {
  await fed?.stop();
});

const HUB = () => fed.config.services.hub.identity;
const VERIFICATORE_MINISTERO = () => fed.config.services.agencies.MINLAVORO!.identity;
const OPERATORE = operatoreHeader({ id: 'INPS-OP-TEST-0001', ufficio: 'INPS - sede di test' });

/** A packet for INAIL, for a worker and employer INAIL's archive holds (a lookup would find them). */
function pacchetto(codiceFiscale = 'RSSMRA60A01H501Q'): ContenutoPacchetto {
  return {
    idPacchetto: randomUUID(),
    idIstruttoria: randomUUID(),
    protocolloDomanda: 'INPS.FALSO.2026.000001',
    tipoDomanda: 'APE_SOCIALE',
    destinatario: 'INAIL',
    dataInvio: new Date(),
    lavoratore: { codiceFiscale },
    rapporti: [{ riferimento: 1, datore: { codiceFiscale: '01234567897', patInail: '12345678' }, periodo: { dal: '2010-01-01' }, categoria: 'A', vociTariffaInail: ['3110'] }],
  };
}

async function chiama(come: string, dove: 'hub' | 'INAIL' | 'INL' | 'esiti', operazione: keyof typeof OPERATIONS, body: Xml, headers: Xml[] = []): Promise<string> {
  try {
    await fed.soapAs(come).call({ url: fed.url(dove), soapAction: OPERATIONS[operazione].soapAction, headers: [OPERATORE, ...headers], body });
    return 'ACCEPTED';
  } catch (err) {
    if (err instanceof RemoteFaultError) return err.code;
    throw err;
  }
}

const verificaPacchetto = (come: string, body: Xml, dove: 'hub' | 'INAIL' = 'INAIL') =>
  chiama(come, dove, 'VerificaPacchetto', body, [replyToHeader(fed.url('esiti')), correlationHeader(randomUUID())]);

/** Nothing of the packet at INAIL: not stored, no work queued (so no archive lookup), its worker named in no access record. */
async function nienteA(pool: Pool, idPacchetto: string): Promise<void> {
  expect((await pool.query('SELECT 1 FROM pacchetto_ricevuto WHERE id_pacchetto = $1', [idPacchetto])).rowCount).toBe(0);
  expect((await pool.query("SELECT 1 FROM outbox WHERE payload->>'idPacchetto' = $1", [idPacchetto])).rowCount).toBe(0);
  const refused = await pool.query<{ interessato: string | null; codice_errore: string }>(
    "SELECT interessato, codice_errore FROM registro_accessi WHERE riferimenti->>'idPacchetto' = $1 OR (operazione = 'VerificaPacchetto' AND esito = 'RIFIUTATA' AND interessato IS NOT NULL)",
    [idPacchetto],
  );
  expect(refused.rows).toEqual([]);
}

describe("the hub's certificate cannot make INAIL take a packet INPS did not write", () => {
  test('a made-up packet (valid transport signature, no origin signature) is refused before it is read, and nothing is stored', async () => {
    const p = pacchetto();
    expect(await verificaPacchetto(HUB(), writeVerificaPacchetto(p))).toBe('ORIGINE_NON_VALIDA');
    await nienteA(inail, p.idPacchetto);
  });

  test("a made-up packet signed with the hub's own key as if it were the origin is refused", async () => {
    const p = pacchetto();
    expect(await verificaPacchetto(HUB(), firmaOrigine(writeVerificaPacchetto(p), hubKey))).toBe('ORIGINE_NON_VALIDA');
    await nienteA(inail, p.idPacchetto);
  });

  test('a packet INPS signed and the hub altered (another codice fiscale) is refused; the same packet unaltered is accepted', async () => {
    const p = pacchetto();
    const firmato = firmaOrigine(writeVerificaPacchetto(p), inpsKey);
    const alterato = { text: firmato.text.replace('RSSMRA60A01H501Q', 'VRDLGU70A01F205X') } as Xml;
    expect(alterato.text).not.toBe(firmato.text);
    expect(await verificaPacchetto(HUB(), alterato)).toBe('ORIGINE_NON_VALIDA');
    await nienteA(inail, p.idPacchetto);

    expect(await verificaPacchetto(HUB(), firmato)).toBe('ACCEPTED');
    const stored = await inail.query<{ mittente: string; cf: string }>("SELECT mittente, contenuto->'lavoratore'->>'codiceFiscale' AS cf FROM pacchetto_ricevuto WHERE id_pacchetto = $1", [p.idPacchetto]);
    expect(stored.rows).toEqual([{ mittente: HUB(), cf: 'RSSMRA60A01H501Q' }]);
  });

  test('a made-up case for INL (personal data) is refused, and so are made-up reminders and notices', async () => {
    const p = pacchetto();
    const caso = writeSegnalaCaso({ ...p, idSegnalazione: randomUUID(), destinatario: 'INL', limiteAttesa: new Date(), datiNonVerificati: [{ ente: 'INAIL', riferimento: 1, dato: 'VOCE_TARIFFA', motivo: 'NON_VERIFICABILE' }], indici: [] });
    expect(await chiama(HUB(), 'INL', 'SegnalaCaso', caso, [replyToHeader(fed.url('esiti'))])).toBe('ORIGINE_NON_VALIDA');
    expect((await inl.query('SELECT 1 FROM accertamento')).rowCount).toBe(0);
    const sollecito = writeSollecitaEsito({ idSollecito: randomUUID(), idPacchetto: p.idPacchetto, destinatario: 'INAIL', scadenza: new Date(), dataSollecito: new Date() });
    expect(await chiama(HUB(), 'INAIL', 'SollecitaEsito', sollecito)).toBe('ORIGINE_NON_VALIDA');
    expect((await inail.query('SELECT 1 FROM sollecito_ricevuto')).rowCount).toBe(0);
    const riscontro = writeNotificaRiscontro({ idRiscontro: randomUUID(), idIstruttoria: p.idIstruttoria, protocolloDomanda: p.protocolloDomanda, destinatario: 'INAIL', enteRispondente: 'ANPAL', esito: 'NON_CONFORME', dataEsito: new Date(), inRitardo: false });
    expect(await chiama(HUB(), 'INAIL', 'NotificaRiscontro', riscontro)).toBe('ORIGINE_NON_VALIDA');
    expect((await inail.query('SELECT 1 FROM riscontro')).rowCount).toBe(0);
  });
});

describe('the hub and the Ministero verifier are two identities, each allowed only its own calls', () => {
  test("the Ministero verifier's certificate cannot call INAIL's VerificaPacchetto at all, even with a packet INPS signed", async () => {
    expect(VERIFICATORE_MINISTERO()).not.toBe(HUB());
    const p = pacchetto();
    expect(await verificaPacchetto(VERIFICATORE_MINISTERO(), firmaOrigine(writeVerificaPacchetto(p), inpsKey))).toBe('PARTE_NON_AUTORIZZATA');
    await nienteA(inail, p.idPacchetto);
  });

  test("the hub's certificate cannot notify INPS of an esito", async () => {
    const esito = writeNotificaEsito({ idPacchetto: randomUUID(), ente: 'MINLAVORO', dataEsito: new Date(), esitiDato: [{ riferimento: 1, dato: 'CCNL', esito: 'CONFORME' }] });
    expect(await chiama(HUB(), 'esiti', 'NotificaEsito', esito, [correlationHeader(randomUUID())])).toBe('PARTE_NON_AUTORIZZATA');
  });

  test('the hub itself refuses, from INPS, a packet without the origin signature (it would only be refused downstream)', async () => {
    const p = pacchetto();
    expect(await verificaPacchetto(fed.config.services.inpsDispatcher.identity, writeVerificaPacchetto(p), 'hub')).toBe('ORIGINE_NON_VALIDA');
    expect((await hubDb.query('SELECT 1 FROM pacchetto_inoltro WHERE id_pacchetto = $1', [p.idPacchetto])).rowCount).toBe(0);
  });
});
