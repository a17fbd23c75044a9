process.env.APE_LOG_LEVEL = 'silent';

import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { withTransaction } from '../shared/db/pool';
import type { StatoPacchetto } from '../shared/domain/stati';
import { registraDomanda } from '../services/inps/core/domande';
import { STATI_PACCHETTO, statoDopo } from '../services/inps/core/pacchetto-transizioni';
import { presaInCarico, registraInvioFallito, riammetti, scadeEsito, scadeInvio, testoRispondi } from '../services/inps/core/sql/pacchetto';
import { cambiInsieme } from '../shared/db/insieme';
import type { Tx } from '../shared/db/pool';
import { DatabaseInps, domanda, OPERATORE, regole } from './support/inps-lifecycle';

/**
 * The packet's SQL moves (services/inps/core/sql/pacchetto.ts) against a real PostgreSQL database: from every
 * state, each statement moves the packet exactly as the transition table says, or leaves it where it was and
 * says so. The table is the only place the source states are written; this checks the guards really use it.
 */

/** RISPOSTA's statement as the esito runs it (one statement with others): whether it moved the packet. */
const rispondi = async (tx: Tx, id: string, d: Parameters<typeof testoRispondi>[2]) => (await cambiInsieme(tx, (p) => ({ conta: testoRispondi(p, id, d), altri: [] }))) === 1;

let db: DatabaseInps;
let pool: Pool;
let idPacchetto: string;

beforeAll(async () => {
  db = await DatabaseInps.crea('pacchetto_sql');
  pool = db.pool;
  const r = await registraDomanda(pool, domanda({ protocollo: 'INPS.SQL.0001', presentazione: new Date('2026-03-02T09:00:00Z') }), OPERATORE, new Date('2026-03-02T09:00:00Z'), regole());
  const p = await pool.query<{ id: string }>('SELECT id FROM pacchetto WHERE istruttoria_id = $1 LIMIT 1', [r.idIstruttoria]);
  idPacchetto = p.rows[0]!.id;
});

afterAll(async () => {
  await db?.elimina();
});

const IL = new Date('2026-03-03T10:00:00Z');

/** Puts the packet in `stato` with no receipt, no esito and no attempts, as a test fixture (only tests write it so). */
async function inStato(stato: StatoPacchetto): Promise<void> {
  await pool.query(
    `UPDATE pacchetto SET stato = $2, correlation_id = NULL, inviato_il = NULL, scadenza_esito = $3, risposto_il = NULL, esito = NULL, tentativi_invio = 0, ultimo_errore = NULL WHERE id = $1`,
    [idPacchetto, stato, IL],
  );
}

async function riga() {
  return (await pool.query<{ stato: StatoPacchetto; tentativi_invio: number; ultimo_errore: string | null; inviato_il: Date | null }>(
    'SELECT stato, tentativi_invio, ultimo_errore, inviato_il FROM pacchetto WHERE id = $1',
    [idPacchetto],
  )).rows[0]!;
}

describe.each(STATI_PACCHETTO)('from %s', (da) => {
  test('RISPOSTA moves as the table says, and says whether it did', async () => {
    await inStato(da);
    const mosso = await withTransaction(pool, (tx) => rispondi(tx, idPacchetto, { esito: 'CONFORME', rispostoIl: IL, correlationId: randomUUID(), inRitardo: false }));
    expect(mosso).toBe(statoDopo('RISPOSTA', da) !== null);
    expect((await riga()).stato).toBe(statoDopo('RISPOSTA', da) ?? da);
  });

  test('SCADENZA_ESITO moves as the table says, and returns what the reminder needs only when it did', async () => {
    await inStato(da);
    const r = await withTransaction(pool, (tx) => scadeEsito(tx, idPacchetto, { il: IL }));
    expect(r !== null).toBe(statoDopo('SCADENZA_ESITO', da) !== null);
    if (r) expect(r).toMatchObject({ destinatario: expect.any(String), scadenzaEsito: IL, correlationId: null });
    expect((await riga()).stato).toBe(statoDopo('SCADENZA_ESITO', da) ?? da);
  });

  test('SCADENZA_INVIO moves as the table says, and returns the delivery record only when it did', async () => {
    await inStato(da);
    const r = await withTransaction(pool, (tx) => scadeInvio(tx, idPacchetto, { il: IL }));
    expect(r !== null).toBe(statoDopo('SCADENZA_INVIO', da) !== null);
    if (r) expect(r).toMatchObject({ tentativiInvio: 0, ultimoErrore: null });
    expect((await riga()).stato).toBe(statoDopo('SCADENZA_INVIO', da) ?? da);
  });

  test('REINVIO moves as the table says, and says whether it did', async () => {
    await inStato(da);
    expect(await withTransaction(pool, (tx) => riammetti(tx, idPacchetto))).toBe(statoDopo('REINVIO', da) !== null);
    expect((await riga()).stato).toBe(statoDopo('REINVIO', da) ?? da);
  });

  test('PRESA_IN_CARICO records the receipt in any state and moves the packet only as the table says', async () => {
    await inStato(da);
    const r = await withTransaction(pool, (tx) => presaInCarico(tx, idPacchetto, { correlationId: randomUUID(), ricevutoIl: IL, scadenzaEsito: IL }));
    expect(r).toEqual({ prima: true, stato: statoDopo('PRESA_IN_CARICO', da) ?? da, scadenzaEsito: IL });
    expect(await riga()).toMatchObject({ stato: statoDopo('PRESA_IN_CARICO', da) ?? da, inviato_il: IL, tentativi_invio: 1 });
    const ancora = await withTransaction(pool, (tx) => presaInCarico(tx, idPacchetto, { correlationId: randomUUID(), ricevutoIl: new Date(IL.getTime() + 1000), scadenzaEsito: IL }));
    expect(ancora?.prima).toBe(false);
  });

  test('a refusal (RIFIUTO) moves the packet only as the table says; every failed send is counted', async () => {
    await inStato(da);
    expect(await withTransaction(pool, (tx) => registraInvioFallito(tx, idPacchetto, { errore: 'CONTROPARTE_NON_RAGGIUNGIBILE', rifiuto: false }))).toBe(da);
    expect(await withTransaction(pool, (tx) => registraInvioFallito(tx, idPacchetto, { errore: 'OPERATORE_SOSPESO', rifiuto: true }))).toBe(statoDopo('RIFIUTO', da) ?? da);
    expect(await riga()).toMatchObject({ stato: statoDopo('RIFIUTO', da) ?? da, tentativi_invio: 2, ultimo_errore: 'OPERATORE_SOSPESO' });
  });
});

test('a packet that does not exist is not moved, and nothing says it was', async () => {
  const nessuno = randomUUID();
  await withTransaction(pool, async (tx) => {
    expect(await rispondi(tx, nessuno, { esito: 'CONFORME', rispostoIl: IL, correlationId: randomUUID(), inRitardo: false })).toBe(false);
    expect(await scadeEsito(tx, nessuno, { il: IL })).toBeNull();
    expect(await scadeInvio(tx, nessuno, { il: IL })).toBeNull();
    expect(await riammetti(tx, nessuno)).toBe(false);
    expect(await presaInCarico(tx, nessuno, { correlationId: randomUUID(), ricevutoIl: IL, scadenzaEsito: IL })).toBeNull();
    expect(await registraInvioFallito(tx, nessuno, { errore: 'x', rifiuto: true })).toBeNull();
  });
});
