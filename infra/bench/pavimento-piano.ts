import { rapportiPerEnte } from '../../shared/domain/competenza';
import type { EnteVerificatore } from '../../shared/domain/types';
import type { ScenarioDemo } from '../demo/dataset';
import { MIX, scenarioDi } from './carico';

/**
 * The floor's hops, counted from the protocol rather than from the broker (pure: no I/O).
 *
 * One domanda is (protocol art. 3-5, allegato 1; ModI NONBLOCK_PUSH_SOAP for the asynchronous answers):
 *   - PresentaDomanda: the case system to INPS (the domanda acquired "in via telematica");
 *   - one packet per competent party (allegato 1: MINLAVORO and ANPAL always, INAIL for the categories it
 *     verifies, INL for F and H), INPS -> hub -> party: two hops each, as INPS talks only to the Ministero;
 *   - each party's esito, party -> INPS (the callback to X-ReplyTo): one hop each;
 *   - art. 4, "dando riscontro a tutte le altre parti": each esito notified to each other party taking part in
 *     the istruttoria (the other recipients of a packet), INPS -> hub -> party (NotificaRiscontro): two hops each;
 *   - art. 5 case c) (a datum not verifiable): SegnalaCaso INPS -> hub -> INL, then INL's NotificaAccertamento
 *     to INPS: three hops, for the domande of the mix whose outcome is NON_VERIFICABILE.
 * Hops of one party's chain follow one another; the parties' chains run side by side, as the protocol allows.
 */

export type Parte = 'SISTEMA_ISTRUTTORIO' | 'INPS' | 'HUB' | EnteVerificatore;
export type Operazione = 'PresentaDomanda' | 'VerificaPacchetto' | 'NotificaEsito' | 'NotificaRiscontro' | 'SegnalaCaso' | 'NotificaAccertamento';

export interface Tratta {
  operazione: Operazione;
  da: Parte;
  a: Parte;
}

/** A domanda's work: hops in sequence, or side by side. */
export type Passo = { tratta: Tratta } | { sequenza: Passo[] } | { parallelo: Passo[] };

const t = (operazione: Operazione, da: Parte, a: Parte): Passo => ({ tratta: { operazione, da, a } });
const viaHub = (operazione: Operazione, a: Parte): Passo[] => [t(operazione, 'INPS', 'HUB'), t(operazione, 'HUB', a)];

/** Whether a scenario's domanda goes through INL (art. 5 case c: some datum not verifiable by the archives). */
export function passaDaInl(s: Pick<ScenarioDemo, 'atteso'>): boolean {
  return s.atteso.esitoVerifica === 'NON_VERIFICABILE';
}

/** The parties that receive a packet for the scenario's domanda (allegato 1), in packet order. */
export function destinatari(s: ScenarioDemo): EnteVerificatore[] {
  return [...rapportiPerEnte(s.domanda('PIANO', new Date(0)).attestazioni).keys()];
}

export function pianoScenario(s: ScenarioDemo): Passo {
  const enti = destinatari(s);
  const catenaEnte = (ente: EnteVerificatore): Passo => ({
    sequenza: [
      ...viaHub('VerificaPacchetto', ente),
      t('NotificaEsito', ente, 'INPS'),
      { parallelo: enti.filter((altro) => altro !== ente).map((altro) => ({ sequenza: viaHub('NotificaRiscontro', altro) })) },
    ],
  });
  const passi: Passo[] = [t('PresentaDomanda', 'SISTEMA_ISTRUTTORIO', 'INPS'), { parallelo: enti.map(catenaEnte) }];
  if (passaDaInl(s)) passi.push(...viaHub('SegnalaCaso', 'INL'), t('NotificaAccertamento', 'INL', 'INPS'));
  return { sequenza: passi };
}

export function tratte(p: Passo): Tratta[] {
  if ('tratta' in p) return [p.tratta];
  return ('sequenza' in p ? p.sequenza : p.parallelo).flatMap(tratte);
}

/** Mean hops per domanda over one cycle of the mix, by operation, and in all. */
export function trattePerDomanda(mix: ReadonlyArray<{ chiave: string; peso: number }> = MIX): { totale: number; perOperazione: Partial<Record<Operazione, number>>; quotaInl: number } {
  const ciclo = mix.reduce((s, m) => s + m.peso, 0);
  const perOperazione: Partial<Record<Operazione, number>> = {};
  let inl = 0;
  for (let i = 0; i < ciclo; i++) {
    const s = scenarioDi(i, mix);
    if (passaDaInl(s)) inl++;
    for (const x of tratte(pianoScenario(s))) perOperazione[x.operazione] = (perOperazione[x.operazione] ?? 0) + 1 / ciclo;
  }
  const totale = Object.values(perOperazione).reduce((a, b) => a + b, 0);
  return { totale, perOperazione, quotaInl: inl / ciclo };
}

/**
 * The unavoidable work of one hop: one mutual-TLS round trip; the request signed by the sender and verified by
 * the receiver, the response signed by the receiver and verified by the sender; a durable commit at the receiver
 * before its ack and one at the sender for the state change; one confirmed publish and its consume.
 */
export const OPERAZIONI_PER_TRATTA = { tls: 1, firme: 2, verifiche: 2, commit: 2, pubblicazioni: 1 } as const;
export type VoceCosto = keyof typeof OPERAZIONI_PER_TRATTA;

export function operazioniPerDomanda(tratteMedie: number): Record<VoceCosto, number> {
  return Object.fromEntries(Object.entries(OPERAZIONI_PER_TRATTA).map(([k, v]) => [k, v * tratteMedie])) as Record<VoceCosto, number>;
}

export interface VoceRipartizione {
  operazioni: number;
  msPerOperazione: number;
  msPerDomanda: number;
  quota: number;
}

/**
 * The floor's CPU per domanda by kind of work: operations per domanda times the CPU one operation costs
 * (measured alone), and each kind's share of the sum.
 */
export function ripartizione(operazioni: Record<VoceCosto, number>, msPerOperazione: Record<VoceCosto, number>): { voci: Record<VoceCosto, VoceRipartizione>; msPerDomanda: number } {
  const chiavi = Object.keys(OPERAZIONI_PER_TRATTA) as VoceCosto[];
  const ms = Object.fromEntries(chiavi.map((k) => [k, operazioni[k] * msPerOperazione[k]])) as Record<VoceCosto, number>;
  const totale = chiavi.reduce((a, k) => a + ms[k], 0);
  const voci = Object.fromEntries(
    chiavi.map((k) => [k, { operazioni: operazioni[k], msPerOperazione: msPerOperazione[k], msPerDomanda: ms[k], quota: totale > 0 ? ms[k] / totale : 0 }]),
  ) as Record<VoceCosto, VoceRipartizione>;
  return { voci, msPerDomanda: totale };
}
