import { ApeError, type ErrorCode } from '../errors';
import type { Operatore } from '../domain/types';
import { NS } from '../xml/namespaces';
import { el, Xml, type XmlElement } from '../xml/write';
import type { EnvelopeTree } from '../xml/envelope-tree';
import type { XmlReader } from '../xml/read';

/** The namespaces every envelope declares once, on soap:Envelope, for its headers and payload. */
const DICHIARAZIONI: ReadonlyMap<string, string> = new Map([
  ['soap', NS.soap],
  ['com', NS.com],
  ['ist', NS.ist],
  ['pac', NS.pac],
  ['esi', NS.esi],
]);

const APERTURA = `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope${[...DICHIARAZIONI].map(([p, uri]) => ` xmlns:${p}="${uri}"`).join('')}>`;

/** SOAP 1.1 envelopes with every contract namespace declared once, on the Envelope. */
export function envelope(headers: readonly Xml[], body: Xml): string {
  const head = headers.length > 0 ? `<soap:Header>${headers.map((h) => h.text).join('')}</soap:Header>` : '';
  return `${APERTURA}${head}<soap:Body>${body.text}</soap:Body></soap:Envelope>`;
}

/**
 * The same envelope as its trees, for a signer that canonicalizes without parsing (wssecurity/sign-tree.ts); null
 * when a header or the payload was neither written by `el` nor kept in canonical form: it is then signed from its text.
 */
export function envelopeTree(headers: readonly Xml[], body: Xml): EnvelopeTree | null {
  const blocks: XmlElement[] = [];
  for (const h of headers) {
    if (h.nodi === undefined) return null;
    blocks.push(...h.nodi);
  }
  const payload = body.nodi?.length === 1 ? body.nodi[0]! : body.canonico ? { canonical: body.text } : null;
  return payload && { opening: APERTURA, declarations: DICHIARAZIONI, headers: blocks, payload };
}

export interface FaultInfo {
  code: string;
  message: string;
  retryable: boolean;
  actor: 'Client' | 'Server';
}

export function faultEnvelope(f: FaultInfo): string {
  const detail = el('com:ErroreApe', [el('com:Codice', f.code), el('com:Descrizione', f.message.slice(0, 500)), el('com:Ritentabile', f.retryable)]);
  return envelope(
    [],
    el('soap:Fault', [el('faultcode', `soap:${f.actor}`), el('faultstring', `${f.code}: ${f.message}`), el('detail', detail)]),
  );
}

export function faultOf(err: ApeError): FaultInfo {
  return { code: err.code, message: err.message, retryable: err.retryable, actor: err.actor };
}

/** Reads a soap:Fault payload. */
export function readFault(fault: XmlReader): FaultInfo {
  const faultcode = fault.optText('faultcode') ?? 'soap:Server';
  const faultstring = fault.optText('faultstring') ?? '';
  const detail = fault.optChild('detail')?.optChild('ErroreApe');
  return {
    code: detail?.text('Codice') ?? (faultcode.endsWith('Client') ? 'ERRORE_CLIENT' : 'ERRORE_SERVER'),
    message: detail?.text('Descrizione') ?? faultstring,
    retryable: detail ? detail.text('Ritentabile') === 'true' : !faultcode.endsWith('Client'),
    actor: faultcode.endsWith('Client') ? 'Client' : 'Server',
  };
}

export function operatoreHeader(op: Operatore): Xml {
  return el('com:Operatore', [el('com:IdOperatore', op.id), el('com:Ufficio', op.ufficio)]);
}

/** The operator named by the header blocks a caller wrote with operatoreHeader (null without one). */
export function operatoreOfHeaders(headers: readonly Xml[]): Operatore | null {
  const text = headers.map((h) => h.text).join('');
  const block = /<com:Operatore>([\s\S]*?)<\/com:Operatore>/.exec(text)?.[1];
  const read = (name: string) => (block === undefined ? undefined : new RegExp(`<com:${name}>([^<]*)</com:${name}>`).exec(block)?.[1]);
  const id = read('IdOperatore');
  const ufficio = read('Ufficio');
  return id === undefined || ufficio === undefined ? null : { id: unescapeXml(id), ufficio: unescapeXml(ufficio) };
}

function unescapeXml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e]!);
}

export function replyToHeader(url: string): Xml {
  return el('com:X-ReplyTo', url);
}

export function correlationHeader(id: string): Xml {
  return el('com:X-Correlation-ID', id);
}

/** The header blocks of a request, by local name in the comune namespace. */
export class RequestHeaders {
  private readonly byName = new Map<string, XmlReader>();

  constructor(headers: readonly XmlReader[]) {
    for (const h of headers) {
      if (h.namespace !== NS.com) continue;
      // One operator per call (convenzione: the identifier of whoever caused it), one reply address, one correlation.
      if (this.byName.has(h.name)) throw new ApeError('SCHEMA_NON_VALIDO', `intestazione com:${h.name} ripetuta: il contratto ne prevede una sola`);
      this.byName.set(h.name, h);
    }
  }

  optional(local: 'Operatore' | 'X-ReplyTo' | 'X-Correlation-ID'): XmlReader | undefined {
    return this.byName.get(local);
  }

  required(local: 'X-ReplyTo' | 'X-Correlation-ID', code: ErrorCode = 'INTESTAZIONE_MANCANTE'): string {
    const h = this.byName.get(local);
    if (!h) throw new ApeError(code, `manca l'intestazione SOAP com:${local} (${NS.com})`);
    return h.value();
  }

  /** Convenzione quadro: every call names its operator; calls without are refused. */
  operatore(): Operatore {
    const h = this.byName.get('Operatore');
    if (!h) throw new ApeError('OPERATORE_ASSENTE', `manca l'intestazione SOAP com:Operatore con IdOperatore e Ufficio dell'operatore che ha causato la chiamata`);
    return { id: h.text('IdOperatore'), ufficio: h.text('Ufficio') };
  }
}
