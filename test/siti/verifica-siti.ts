import { SCENARI, type ScenarioDemo } from '../../infra/demo/dataset';
import type { SistemaIstruttorio } from '../../infra/clients/sistema-istruttorio';
import type { Siti } from '../../infra/siti/siti';
import type { Parte } from '../../infra/siti/rete';
import { eventually } from '../support/eventually';

/**
 * test:siti's checks, on the five hosts' own databases: domande submitted as the case system would, then every
 * one in its expected final state, every packet answered with exactly one esito applied at INPS and received once
 * by its party (in that party's database), nothing reached twice.
 */
export interface Presentata {
  protocollo: string;
  scenario: ScenarioDemo;
}

export async function presenta(client: SistemaIstruttorio, tag: string, chiavi: readonly string[]): Promise<Presentata[]> {
  const out: Presentata[] = [];
  for (const [i, chiave] of chiavi.entries()) {
    const scenario = SCENARI.find((s) => s.chiave === chiave)!;
    const protocollo = `INPS.${tag}.${String(i + 1).padStart(5, '0')}`;
    const r = await client.presentaDomanda(scenario.domanda(protocollo, new Date()));
    if (r.stato !== 'IN_VERIFICA') throw new Error(`${protocollo}: received as ${r.stato}`);
    out.push({ protocollo, scenario });
  }
  return out;
}

interface Stato {
  protocollo: string;
  stato: string;
  esito_verifica: string | null;
  regola_chiusura: string | null;
  accertamento: string | null;
}

/** Which of the domande are not (yet) in their expected final state, and how they are. */
export async function nonConcluse(siti: Siti, presentate: readonly Presentata[]): Promise<string[]> {
  const { rows } = await siti.pool('INPS', 'inps').query<Stato>(
    `SELECT d.protocollo, i.stato, i.esito_verifica, i.regola_chiusura, s.stato_accertamento AS accertamento
       FROM domanda d JOIN istruttoria i ON i.domanda_id = d.id LEFT JOIN segnalazione_inl s ON s.istruttoria_id = i.id
      WHERE d.protocollo = ANY($1::text[])`,
    [presentate.map((p) => p.protocollo)],
  );
  const per = new Map(rows.map((r) => [r.protocollo, r]));
  const out: string[] = [];
  for (const p of presentate) {
    const r = per.get(p.protocollo);
    const a = p.scenario.atteso;
    const got = r && { stato: r.stato, esito: r.esito_verifica, regola: r.regola_chiusura ?? undefined, accertamento: r.accertamento ?? undefined };
    const want = { stato: a.stato, esito: a.esitoVerifica, regola: a.regola, accertamento: a.accertamento };
    if (JSON.stringify(got) !== JSON.stringify(want)) out.push(`${p.protocollo} (${p.scenario.chiave}): ${JSON.stringify(got ?? 'not stored')}`);
  }
  return out;
}

/**
 * Every domanda in its expected final state, then every party's record of its esito as delivered: a party commits
 * that after INPS's answer, so it follows INPS's conclusion by a moment (or by a retry, when the answer was lost).
 */
export async function attendiConclusione(siti: Siti, presentate: readonly Presentata[], timeoutMs = 90_000): Promise<void> {
  await eventually(async () => (await nonConcluse(siti, presentate)).length === 0, {
    timeoutMs,
    intervalMs: 500,
    what: `${presentate.length} domande in their expected final state`,
  }).catch(async (err: Error) => {
    throw new Error(`${err.message}\nnot concluded: ${(await nonConcluse(siti, presentate)).join('\n')}`);
  });
  await eventually(async () => (await consegneMancanti(siti, await pacchetti(siti, presentate))).length === 0, {
    timeoutMs,
    intervalMs: 500,
    what: `the parties' esiti of ${presentate.length} domande recorded as delivered`,
  }).catch(async (err: Error) => {
    throw new Error(`${err.message}\n${(await consegneMancanti(siti, await pacchetti(siti, presentate))).join('\n')}`);
  });
}

interface PacchettoInps {
  id: string;
  destinatario: Parte;
  stato: string;
  applicati: number;
  inviati: number;
  esiti_eventi: number;
}

/** The domande's packets as INPS holds them, with their esiti applied and their events counted. */
async function pacchetti(siti: Siti, presentate: readonly Presentata[]): Promise<PacchettoInps[]> {
  const { rows } = await siti.pool('INPS', 'inps').query<PacchettoInps>(
    `SELECT p.id, p.destinatario, p.stato,
            (SELECT count(*)::int FROM esito_ricevuto e WHERE e.pacchetto_id = p.id AND e.applicato) AS applicati,
            (SELECT count(*)::int FROM evento ev WHERE ev.pacchetto_id = p.id AND ev.tipo = 'PACCHETTO_INVIATO') AS inviati,
            (SELECT count(*)::int FROM evento ev WHERE ev.pacchetto_id = p.id AND ev.tipo IN ('ESITO_RICEVUTO', 'ESITO_IN_RITARDO')) AS esiti_eventi
       FROM pacchetto p JOIN istruttoria i ON i.id = p.istruttoria_id JOIN domanda d ON d.id = i.domanda_id
      WHERE d.protocollo = ANY($1::text[])`,
    [presentate.map((p) => p.protocollo)],
  );
  return rows;
}

/** Each party holds its packets once, each with its esito recorded as delivered: what is missing. */
async function consegneMancanti(siti: Siti, pac: readonly PacchettoInps[]): Promise<string[]> {
  const v: string[] = [];
  const perParte = new Map<Parte, string[]>();
  for (const p of pac) perParte.set(p.destinatario, [...(perParte.get(p.destinatario) ?? []), p.id]);
  for (const [parte, ids] of perParte) {
    const { rows } = await siti.pool(parte, parte.toLowerCase()).query<{ id_pacchetto: string; stato: string }>(
      'SELECT id_pacchetto, stato FROM pacchetto_ricevuto WHERE id_pacchetto = ANY($1::uuid[])',
      [ids],
    );
    if (rows.length !== ids.length) v.push(`${parte} holds ${rows.length} of its ${ids.length} packets`);
    for (const r of rows) if (r.stato !== 'ESITO_CONSEGNATO') v.push(`${parte}: packet ${r.id_pacchetto} is ${r.stato}`);
  }
  return v;
}

/** Nothing lost, nothing doubled: the violations found (empty when all holds). */
export async function violazioni(siti: Siti, presentate: readonly Presentata[]): Promise<string[]> {
  const v = await nonConcluse(siti, presentate);
  const pac = await pacchetti(siti, presentate);
  if (pac.length === 0) v.push('no packets');
  for (const p of pac) {
    if (p.stato !== 'RISPOSTO') v.push(`packet ${p.id} (${p.destinatario}) is ${p.stato}, not RISPOSTO`);
    if (p.applicati !== 1) v.push(`packet ${p.id} (${p.destinatario}) has ${p.applicati} esiti applied`);
    if (p.inviati > 1) v.push(`packet ${p.id} recorded as sent ${p.inviati} times`);
    if (p.esiti_eventi !== 1) v.push(`packet ${p.id} has ${p.esiti_eventi} esito events`);
  }
  return [...v, ...(await consegneMancanti(siti, pac))];
}
