import { writePresentaDomanda } from '../../../shared/messages/istruttoria';
import { scenario } from '../../../infra/demo/dataset';
import type { Prng } from '../prng';
import { OPERATORE, rawEnvelope, SOAP_NS } from '../raw-soap';
import type { HostileRequest } from '../hostile-http';
import type { Built, Category, GeneratorContext, HostileCase } from './cases';

/**
 * What every family of hostile cases builds with: the contracts' namespaces, a POST of text/xml, the payload's
 * element names and the codici fiscali's patterns, ways to edit one element of a payload, and CaseKit, which holds
 * the seeded generator and numbers the cases. Every random choice is drawn from the seeded generator when a case is
 * created (so a seed names the same cases in the same order); bodies are built only when a case is sent. Each case
 * says which Fault codes are an acceptable refusal; the expected HTTP status follows from the code.
 */

export const NS = {
  soap: SOAP_NS,
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  com: 'urn:it:ape-precoci:comune:v1',
  ist: 'urn:it:ape-precoci:istruttoria:v1',
  esi: 'urn:it:ape-precoci:esiti:v1',
  pac: 'urn:it:ape-precoci:pacchetto:v1',
};

export const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>';
export const TEXT_XML = { 'Content-Type': 'text/xml; charset=utf-8' };
export const post = (body: string | Buffer, extra: Record<string, string> = {}): HostileRequest => ({ method: 'POST', headers: { ...TEXT_XML, ...extra }, body });

/** The XSD patterns of the codici fiscali (comune.xsd), to make sure a "wrong format" mutation really is one. */
export const CF_PERSONA = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;
export const CF_DATORE = /^[0-9]{11}$/;

/** Element names of the PresentaDomanda payload, for targeted mutations. */
export const REQUIRED = [
  'ProtocolloDomanda', 'TipoDomanda', 'DataPresentazione', 'DataDecorrenza', 'Richiedente', 'Attestazioni', 'Attestazione', 'Riferimento',
  'TipoAttestazione', 'DatoreLavoro', 'Denominazione', 'Periodo', 'Dal', 'Categoria', 'ProfessioneIstat', 'Cognome', 'Nome', 'DataNascita',
  'CodiceFiscale#1', 'CodiceFiscale#2',
] as const;
export const INNER = [...REQUIRED, 'MatricolaInps', 'PatInail', 'Ccnl', 'Livello', 'VociTariffaInail', 'VoceTariffa'] as const;

/** Replace the text of the n-th (1-based) occurrence of an element of the payload. */
export function setText(payload: string, name: string, value: string, nth = 1): string {
  let seen = 0;
  return payload.replace(new RegExp(`(<ist:${name}>)([^<]*)(</ist:${name}>)`, 'g'), (m, open: string, _old: string, close: string) => (++seen === nth ? `${open}${value}${close}` : m));
}

export function element(payload: string, name: string, nth = 1): { start: number; end: number } | null {
  let from = 0;
  for (let k = 1; ; k++) {
    const start = payload.indexOf(`<ist:${name}>`, from);
    if (start < 0) return null;
    const close = `</ist:${name}>`;
    const endTag = payload.indexOf(close, start);
    if (endTag < 0) return null;
    if (k === nth) return { start, end: endTag + close.length };
    from = endTag + close.length;
  }
}

/** "CodiceFiscale#2" names the second CodiceFiscale element. */
export function nameOf(spec: string): { name: string; nth: number } {
  const [name, nth] = spec.split('#');
  return { name: name!, nth: nth ? Number(nth) : 1 };
}

export class CaseKit {
  private nextId = 1;
  /** The codici fiscali of the valid sample domanda, for mutations that must change them. */
  readonly cfRichiedente: string;
  readonly cfDatore: string;

  constructor(readonly ctx: GeneratorContext) {
    const sample = this.payload('INPS.FZ.SAMPLE');
    this.cfRichiedente = /<ist:Richiedente><ist:CodiceFiscale>([^<]+)</.exec(sample)![1]!;
    this.cfDatore = /<ist:DatoreLavoro><ist:CodiceFiscale>([^<]+)</.exec(sample)![1]!;
  }

  get rng(): Prng {
    return this.ctx.rng;
  }

  /** A valid PresentaDomanda payload (scenario "conforme") with the given protocollo. */
  payload(protocollo: string): string {
    return writePresentaDomanda(scenario('conforme').domanda(protocollo, this.ctx.presentazione)).text;
  }

  /** A valid request envelope: if a mutation failed to make it invalid, it would be stored, and the test would see it. */
  envelope(protocollo: string, mutate: (payload: string) => string = (p) => p, headers = OPERATORE): string {
    return rawEnvelope(headers, mutate(this.payload(protocollo)));
  }

  private protocollo(id: number): string {
    return `INPS.FZ.${String(id).padStart(6, '0')}`;
  }

  /** The next case: its number (and so its protocollo) is taken now, its request is built when it is sent. */
  make(category: Category, label: string, repro: string, build: (protocollo: string) => Built): HostileCase {
    const id = this.nextId++;
    const protocollo = this.protocollo(id);
    return { id, category, label, repro, build: () => build(protocollo) };
  }
}
