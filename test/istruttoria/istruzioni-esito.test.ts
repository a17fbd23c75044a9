process.env.APE_LOG_LEVEL = 'silent';

import { Client } from 'pg';
import { bancoIstruttorie, domanda, dopo, get, ore, regole, rispondi } from '../support/inps-lifecycle';

/**
 * The round trips of INPS's hot transactions (issue 17): every statement costs PostgreSQL a wake-up and a parse,
 * and a domanda costs INPS one submission, three receipts and three esiti. An esito is BEGIN, the istruttoria locked
 * through the packet, the packet locked with the other parties, one statement for every change and the art. 4
 * notices, the case read under the lock already held, COMMIT; the esito that closes adds one statement. Before,
 * they were 14 and 17; a domanda 11, a receipt 7.
 */

// Installed before the file's pool connects: the pool's clients bind the prototype's query when they connect.
let contate: string[] | null = null;
const query = Client.prototype.query;
Client.prototype.query = function (this: Client, ...args: unknown[]) {
  const testo = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
  contate?.push(String(testo).replace(/\s+/g, ' ').slice(0, 60));
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof Client.prototype.query;
afterAll(() => {
  Client.prototype.query = query;
});

const banco = bancoIstruttorie('lc_istruzioni_esito');
const { protocollo, presenta, istruttoria, presaInCaricoDiTutti, messaggi } = banco;

async function istruzioni<T>(fn: () => Promise<T>): Promise<{ risultato: T; testi: string[] }> {
  contate = [];
  try {
    const risultato = await fn();
    return { risultato, testi: contate };
  } finally {
    contate = null;
  }
}

test("a domanda is stored in six statements and a packet's receipt in five, with what they always wrote", async () => {
  const r = regole();
  const t0 = new Date('2026-10-05T08:00:00Z');
  const presentata = await istruzioni(() => presenta(domanda({ protocollo: protocollo('DOM'), presentazione: t0 }), t0, r));
  // BEGIN, the earlier receipt looked up, the domanda, one statement for the rest, the five-workers rule's count for
  // its one employer, COMMIT.
  expect(presentata.testi).toHaveLength(6);
  const id = presentata.risultato;
  const conteggi = await banco.pool.query<{ tabella: string; n: number }>(
    `SELECT 'pacchetto' AS tabella, count(*)::int AS n FROM pacchetto WHERE istruttoria_id = $1
     UNION ALL SELECT 'timer', count(*)::int FROM timer WHERE chiave = $1::text OR chiave IN (SELECT id::text FROM pacchetto WHERE istruttoria_id = $1)
     UNION ALL SELECT 'outbox', count(*)::int FROM outbox WHERE headers->>'idIstruttoria' = $1::text
     UNION ALL SELECT 'controllo_inps', count(*)::int FROM controllo_inps WHERE istruttoria_id = $1
     UNION ALL SELECT 'evento', count(*)::int FROM evento WHERE istruttoria_id = $1`,
    [id],
  );
  expect(Object.fromEntries(conteggi.rows.map((x) => [x.tabella, x.n]))).toEqual({ pacchetto: 3, timer: 4, outbox: 3, controllo_inps: expect.any(Number), evento: 5 });
  expect(await istruttoria(id)).toMatchObject({ stato: 'IN_VERIFICA' });

  const ricevuti = await istruzioni(() => presaInCaricoDiTutti(id, dopo(t0, ore(1)), r));
  // Per packet: BEGIN, the packet locked, its receipt, the timers and the timeline, COMMIT; then the packets' list.
  expect(ricevuti.testi).toHaveLength(1 + 3 * 5);
});

test('an esito applied costs six statements, the one that closes the istruttoria seven, and the case ends as before', async () => {
  const r = regole();
  const t0 = new Date('2026-10-05T08:00:00Z');
  const id = await presenta(domanda({ protocollo: protocollo('IST'), presentazione: t0 }), t0, r);
  const parti = await presaInCaricoDiTutti(id, dopo(t0, ore(1)), r);
  expect([...parti.keys()].sort()).toEqual(['ANPAL', 'INAIL', 'MINLAVORO']);

  const m = get(parti, 'MINLAVORO');
  const primo = await istruzioni(() => rispondi(banco.pool, m.p, m.corr, dopo(t0, ore(2)), r));
  expect(primo.risultato).toMatchObject({ applicato: true, statoIstruttoria: 'IN_VERIFICA' });
  expect(primo.testi).toHaveLength(6);
  expect(primo.testi[0]).toBe('BEGIN');
  expect(primo.testi.at(-1)).toBe('COMMIT');
  expect((await messaggi(id, 'RISCONTRO')).map((x) => x.destinatario).sort()).toEqual(['ANPAL', 'INAIL']);

  const a = get(parti, 'ANPAL');
  expect((await istruzioni(() => rispondi(banco.pool, a.p, a.corr, dopo(t0, ore(3)), r))).testi).toHaveLength(6);

  const i = get(parti, 'INAIL');
  const ultimo = await istruzioni(() => rispondi(banco.pool, i.p, i.corr, dopo(t0, ore(4)), r));
  expect(ultimo.risultato).toMatchObject({ applicato: true, statoIstruttoria: 'CHIUSA' });
  expect(ultimo.testi).toHaveLength(7);
  expect(await istruttoria(id)).toMatchObject({ stato: 'CHIUSA', esito_verifica: 'CONFORME', regola_chiusura: expect.any(String) });
  expect(await messaggi(id, 'RISCONTRO')).toHaveLength(6);
});
