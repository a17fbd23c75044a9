import { connect } from 'amqplib';
import { datiDaVerificare } from '../../shared/domain/competenza';
import type { EnteVerificatore, Rapporto } from '../../shared/domain/types';
import { verificaRegistro, type Registro } from '../../shared/audit/catena';
import { deadLetterQueue, workQueues } from '../../shared/amqp/topology';
import { HEADER_ERROR_CODE } from '../../shared/amqp/consumer';
import { allSchemas } from '../../shared/runtime/schemas';
import type { Presentata } from './alimentatore';
import type { TestFederation } from './federation';
import { codeRabbitmq } from './servizi-locali';

/**
 * What must hold after any storm: every domanda in its correct final state; each packet answered with exactly one
 * esito applied, all its data, received once by its party; no state reached twice; no outbox row unpublished, no
 * timer overdue; no message ready, unacked or dead-lettered but those the suite injected on purpose; every audit
 * chain intact. Returns the violations (empty when all holds) and the figures.
 */
export interface Verifica {
  violazioni: string[];
  cifre: Record<string, number>;
}

const REGISTRI: Registro[] = ['registro_accessi', 'registro_messaggi', 'registro_conservazione'];

/** `rabbitmqctl`: the arguments that reach the federation's broker when it is not the machine's own (a cluster's node). */
export async function verificaInvarianti(
  fed: TestFederation,
  presentate: readonly Presentata[],
  scartiAttesi: ReadonlyMap<string, string>,
  opzioni: { rabbitmqctl?: readonly string[] } = {},
): Promise<Verifica> {
  const v: string[] = [];
  const cifre: Record<string, number> = {};
  const inps = fed.pool('inps');

  // 1. Final states.
  const protocolli = presentate.map((p) => p.protocollo);
  const { rows: ist } = await inps.query<{ protocollo: string; id: string; stato: string; esito_verifica: string | null; regola_chiusura: string | null; accertamento: string | null }>(
    `SELECT d.protocollo, i.id, i.stato, i.esito_verifica, i.regola_chiusura, s.stato_accertamento AS accertamento
       FROM domanda d JOIN istruttoria i ON i.domanda_id = d.id LEFT JOIN segnalazione_inl s ON s.istruttoria_id = i.id
      WHERE d.protocollo = ANY($1::text[])`,
    [protocolli],
  );
  const perProtocollo = new Map(ist.map((r) => [r.protocollo, r]));
  cifre.domande = presentate.length;
  cifre.istruttorie = ist.length;
  for (const p of presentate) {
    const r = perProtocollo.get(p.protocollo);
    const a = p.scenario.atteso;
    if (!r) {
      v.push(`${p.protocollo}: domanda acknowledged but not stored`);
      continue;
    }
    const got = { stato: r.stato, esito: r.esito_verifica, regola: r.regola_chiusura ?? undefined, accertamento: r.accertamento ?? undefined };
    const want = { stato: a.stato, esito: a.esitoVerifica, regola: a.regola, accertamento: a.accertamento };
    if (JSON.stringify(got) !== JSON.stringify(want)) v.push(`${p.protocollo} (${p.scenario.chiave}): ${JSON.stringify(got)} instead of ${JSON.stringify(want)}`);
  }
  const ids = ist.map((r) => r.id);

  // 2. Packets: answered, one esito applied, every datum once, received once by the party.
  const { rows: pac } = await inps.query<{ id: string; destinatario: EnteVerificatore; stato: string; contenuto: { rapporti: Rapporto[] }; applicati: number; ricevuti: number; dati: number; inviati: number; esiti_eventi: number }>(
    `SELECT p.id, p.destinatario, p.stato, p.contenuto,
            (SELECT count(*)::int FROM esito_ricevuto e WHERE e.pacchetto_id = p.id AND e.applicato) AS applicati,
            (SELECT count(*)::int FROM esito_ricevuto e WHERE e.pacchetto_id = p.id) AS ricevuti,
            (SELECT count(*)::int FROM esito_dato d WHERE d.pacchetto_id = p.id) AS dati,
            (SELECT count(*)::int FROM evento ev WHERE ev.pacchetto_id = p.id AND ev.tipo = 'PACCHETTO_INVIATO') AS inviati,
            (SELECT count(*)::int FROM evento ev WHERE ev.pacchetto_id = p.id AND ev.tipo IN ('ESITO_RICEVUTO', 'ESITO_IN_RITARDO')) AS esiti_eventi
       FROM pacchetto p WHERE p.istruttoria_id = ANY($1::uuid[])`,
    [ids],
  );
  cifre.pacchetti = pac.length;
  cifre.esitiRicevuti = pac.reduce((n, p) => n + p.ricevuti, 0);
  cifre.esitiApplicati = pac.reduce((n, p) => n + p.applicati, 0);
  for (const p of pac) {
    const attesi = p.contenuto.rapporti.reduce((n, r) => n + datiDaVerificare(p.destinatario, r).length, 0);
    if (p.stato !== 'RISPOSTO') v.push(`packet ${p.id} (${p.destinatario}) is ${p.stato}, not RISPOSTO`);
    if (p.applicati !== 1) v.push(`packet ${p.id} (${p.destinatario}) has ${p.applicati} esiti applied`);
    if (p.dati !== attesi) v.push(`packet ${p.id} (${p.destinatario}) has ${p.dati} esiti per datum, ${attesi} expected`);
    if (p.inviati > 1) v.push(`packet ${p.id} recorded as received ${p.inviati} times`);
    if (p.esiti_eventi !== 1) v.push(`packet ${p.id} has ${p.esiti_eventi} esito events`);
  }
  const perEnte = new Map<EnteVerificatore, string[]>();
  for (const p of pac) perEnte.set(p.destinatario, [...(perEnte.get(p.destinatario) ?? []), p.id]);
  for (const [ente, pids] of perEnte) {
    const { rows } = await fed.pool(ente.toLowerCase()).query<{ id_pacchetto: string; stato: string }>(
      'SELECT id_pacchetto, stato FROM pacchetto_ricevuto WHERE id_pacchetto = ANY($1::uuid[])',
      [pids],
    );
    if (rows.length !== pids.length) v.push(`${ente} holds ${rows.length} of its ${pids.length} packets`);
    for (const r of rows) if (r.stato !== 'ESITO_CONSEGNATO') v.push(`${ente}: packet ${r.id_pacchetto} is ${r.stato}`);
  }

  // 3. Nothing reached twice: one closure, one case for INL, per istruttoria.
  const { rows: doppi } = await inps.query<{ istruttoria_id: string; tipo: string; n: number }>(
    `SELECT istruttoria_id, tipo, count(*)::int AS n FROM evento
      WHERE istruttoria_id = ANY($1::uuid[]) AND tipo IN ('VERIFICA_COMPLETATA', 'VALUTAZIONE_INL_AVVIATA', 'DOMANDA_RICEVUTA')
      GROUP BY istruttoria_id, tipo HAVING count(*) > 1`,
    [ids],
  );
  for (const d of doppi) v.push(`istruttoria ${d.istruttoria_id}: ${d.tipo} ${d.n} times`);
  cifre.esitiDuplicatiRegistrati = Number((await inps.query(`SELECT count(*)::int AS n FROM evento WHERE tipo = 'ESITO_DUPLICATO'`)).rows[0].n);

  // 4. Outboxes published, timers fired, in every schema.
  const now = fed.now();
  for (const { ente, schema } of allSchemas(fed.config)) {
    const pool = fed.pool(schema);
    const o = Number((await pool.query('SELECT count(*)::int AS n FROM outbox WHERE pubblicato_il IS NULL')).rows[0].n);
    if (o > 0) v.push(`${ente}: ${o} outbox rows not published`);
    cifre[`outbox.${ente}`] = Number((await pool.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n);
    for (const r of REGISTRI) {
      const e = await verificaRegistro(pool, r);
      if (!e.integro) v.push(`${ente} ${r}: chain broken at ${e.primoGuasto!.seq} (${e.primoGuasto!.motivo})`);
      cifre[`registri.${ente}`] = (cifre[`registri.${ente}`] ?? 0) + e.record;
    }
  }
  const t = Number((await inps.query(`SELECT count(*)::int AS n FROM timer WHERE stato = 'ATTESA' AND scade_il <= $1`, [now])).rows[0].n);
  if (t > 0) v.push(`${t} timers overdue and not fired`);

  // 5. RabbitMQ: nothing ready or unacked; dead letters only those injected on purpose.
  const vhost = decodeURIComponent(new URL(fed.config.rabbitmq.url).pathname.slice(1)) || '/';
  const code = await codeRabbitmq(vhost, opzioni.rabbitmqctl);
  const scarti = new Set(workQueues().map(deadLetterQueue));
  for (const q of code) {
    if (q.messages_unacknowledged > 0) v.push(`queue ${q.name}: ${q.messages_unacknowledged} unacked`);
    if (!scarti.has(q.name) && q.messages > 0) v.push(`queue ${q.name}: ${q.messages} messages left`);
  }
  const morti = await leggiScarti(fed.config.rabbitmq.url, [...scarti].filter((q) => (code.find((c) => c.name === q)?.messages ?? 0) > 0));
  cifre.scarti = morti.length;
  for (const m of morti) {
    const atteso = scartiAttesi.get(m.messageId);
    if (!atteso) v.push(`dead letter ${m.messageId} in ${m.coda} unexplained (${m.codice})`);
    else if (atteso !== m.codice) v.push(`dead letter ${m.messageId} has code ${m.codice}, ${atteso} expected`);
  }
  for (const id of scartiAttesi.keys()) if (!morti.some((m) => m.messageId === id)) v.push(`injected poison message ${id} is not among the dead letters`);
  return { violazioni: v, cifre };
}

/** Reads dead letters without consuming them (the channel closes with them unacked, so they stay). */
async function leggiScarti(url: string, code: string[]): Promise<Array<{ coda: string; messageId: string; codice: string }>> {
  if (code.length === 0) return [];
  const conn = await connect(url);
  try {
    const ch = await conn.createChannel();
    const out: Array<{ coda: string; messageId: string; codice: string }> = [];
    for (const coda of code) {
      for (;;) {
        const m = await ch.get(coda, { noAck: false });
        if (!m) break;
        out.push({ coda, messageId: String(m.properties.messageId ?? ''), codice: String((m.properties.headers ?? {})[HEADER_ERROR_CODE] ?? 'x-death') });
      }
    }
    await ch.close();
    return out;
  } finally {
    await conn.close();
  }
}
