process.env.APE_LOG_LEVEL = 'silent';

import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { WorkHandler } from '../shared/amqp/consumer';
import { ManualClock } from '../shared/clock';
import { isRetryable, RemoteFaultError, toError } from '../shared/errors';
import { createLogger } from '../shared/log';
import { createCertificateAuthority, issueCertificate, validityFrom, type KeyPairPem } from '../shared/pki/certificates';
import type { SoapCall, SoapClient, SoapResult } from '../shared/soap/client';
import { registraDomanda } from '../services/inps/core/domande';
import type { InvioPacchettoMsg } from '../services/inps/core/domande';
import { invioPacchetto } from '../services/inps/dispatcher/invio-pacchetto';
import { DatabaseInps, domanda, OPERATORE, regole } from './support/inps-lifecycle';

/**
 * The INPS dispatcher's packet sender against a real PostgreSQL database, the counterpart played by a fake SOAP
 * client and the consumer's decision (consumer.ts: retry what is retryable, dead-letter the rest) by a loop:
 * what happens to a packet when its delivery fails and recording that failure fails too.
 */

const log = createLogger('test');
let db: DatabaseInps;
let firmatario: KeyPairPem;
const AT = new Date('2026-03-02T09:00:00Z');

beforeAll(async () => {
  db = await DatabaseInps.crea('invio_pacchetto');
  const ca = createCertificateAuthority({ commonName: 'CA di prova' }, validityFrom(new Date(), 30));
  firmatario = issueCertificate(ca, { commonName: 'pdd.inps.test' }, validityFrom(new Date(), 30));
});

afterAll(async () => {
  await db?.elimina();
});

/** The database, except that the next connection asked for after `guasta()` is refused once (PostgreSQL gone for a moment). */
function poolGuastabile(pool: Pool): { pool: Pool; guasta(): void; guasti: () => number } {
  let armato = false;
  let guasti = 0;
  const wrapper = {
    query: pool.query.bind(pool),
    async connect(): Promise<PoolClient> {
      if (armato) {
        armato = false;
        guasti++;
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      }
      return pool.connect();
    },
  };
  return { pool: wrapper as unknown as Pool, guasta: () => void (armato = true), guasti: () => guasti };
}

/** A counterpart that answers every call with `risposta`, after `primaDi` has run. */
function controparte(risposta: () => Promise<SoapResult>, primaDi: () => void = () => undefined): SoapClient & { chiamate: SoapCall[] } {
  const chiamate: SoapCall[] = [];
  return {
    chiamate,
    async call(c: SoapCall) {
      chiamate.push(c);
      primaDi();
      return risposta();
    },
  } as unknown as SoapClient & { chiamate: SoapCall[] };
}

/** Delivers one message as the consumer does: retried while the error says so, at most `max` times; then dead-lettered. */
async function consuma<T>(handler: WorkHandler<T>, payload: T, max = 5): Promise<{ tentativi: number; errori: Error[]; scartato: Error | null }> {
  const errori: Error[] = [];
  for (let attempt = 1; attempt <= max; attempt++) {
    try {
      await handler({ messageId: randomUUID(), payload, attempt, headers: {}, redelivered: false }, log);
      return { tentativi: attempt, errori, scartato: null };
    } catch (thrown) {
      const err = toError(thrown);
      errori.push(err);
      if (!isRetryable(err)) return { tentativi: attempt, errori, scartato: err };
    }
  }
  throw new Error(`still failing after ${max} attempts: ${errori.map((e) => e.message).join('; ')}`);
}

async function nuovoPacchetto(protocollo: string): Promise<string> {
  const r = await registraDomanda(db.pool, domanda({ protocollo, presentazione: AT }), OPERATORE, AT, regole());
  return (await db.pool.query<{ id: string }>(`SELECT id FROM pacchetto WHERE istruttoria_id = $1 AND destinatario = 'MINLAVORO'`, [r.idIstruttoria])).rows[0]!.id;
}

async function stato(idPacchetto: string) {
  return (await db.pool.query<{ stato: string; tentativi_invio: number; ultimo_errore: string | null; rifiuti: number }>(
    `SELECT p.stato, p.tentativi_invio, p.ultimo_errore,
            (SELECT count(*) FROM evento e WHERE e.pacchetto_id = p.id AND e.tipo = 'PACCHETTO_RIFIUTATO')::int AS rifiuti
       FROM pacchetto p WHERE p.id = $1`,
    [idPacchetto],
  )).rows[0]!;
}

function dispatcher(pool: Pool, soap: SoapClient) {
  return invioPacchetto({
    pool,
    soap,
    clock: new ManualClock(AT),
    destinazione: () => ({ url: 'https://hub.test/verifica', expectedServerCN: 'hub.test' }),
    replyTo: 'https://inps.test/esiti',
    firmatario: { keyPem: firmatario.keyPem, certPem: firmatario.certPem },
    regole: regole(),
  });
}

test('a refusal whose bookkeeping fails once is retried, not dead-lettered: the packet still ends RIFIUTATO', async () => {
  const id = await nuovoPacchetto('INPS.INVIO.0001');
  const g = poolGuastabile(db.pool);
  let primo = true;
  const soap = controparte(
    async () => Promise.reject(new RemoteFaultError('OPERATORE_SOSPESO', "l'operatore INPS-OP-TEST è sospeso", false, 500)),
    () => {
      // Only the first attempt's bookkeeping meets the outage.
      if (primo) g.guasta();
      primo = false;
    },
  );
  const esito = await consuma(dispatcher(g.pool, soap), { idPacchetto: id } satisfies InvioPacchettoMsg);

  expect(g.guasti()).toBe(1);
  // The first attempt's error says retry (the refusal was not recorded); the second is the refusal itself.
  expect(esito.errori.map((e) => isRetryable(e))).toEqual([true, false]);
  expect(esito.scartato).toBeInstanceOf(RemoteFaultError);
  expect(soap.chiamate).toHaveLength(2);
  expect(await stato(id)).toEqual({ stato: 'RIFIUTATO', tentativi_invio: 1, ultimo_errore: expect.stringContaining('OPERATORE_SOSPESO'), rifiuti: 1 });
});

test('a refusal recorded at the first attempt is dead-lettered at once, and its redelivery sends nothing', async () => {
  const id = await nuovoPacchetto('INPS.INVIO.0002');
  const soap = controparte(async () => Promise.reject(new RemoteFaultError('OPERATORE_SOSPESO', 'sospeso', false, 500)));
  const handler = dispatcher(db.pool, soap);
  const esito = await consuma(handler, { idPacchetto: id });
  expect(esito.tentativi).toBe(1);
  expect(esito.scartato).toBeInstanceOf(RemoteFaultError);
  expect(await stato(id)).toMatchObject({ stato: 'RIFIUTATO', tentativi_invio: 1, rifiuti: 1 });

  expect(await consuma(handler, { idPacchetto: id })).toEqual({ tentativi: 1, errori: [], scartato: null });
  expect(soap.chiamate).toHaveLength(1);
});
