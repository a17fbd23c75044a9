import { NS } from '../../xml/namespaces';
import { DS_NS, SOAP_NS, WSA_NS, WSSE_NS, WSU_NS } from './constants';
import { childrenNamed, countInDocument, elementChildren, isElement, wsuId } from './dom';
import { fail, type WsSecurityCode } from './errors';
import type { SignedReference } from './signed-info';

/**
 * The parts of a signed response, found by their position before anything else is trusted (as parts.ts does for
 * requests: a second copy of any of them anywhere in the document is refused), and the signature's references
 * resolved to them. A response has no wsa:To; it has wsa:RelatesTo, and the header blocks the consumer acts on.
 */

export interface ResponseParts {
  header: Element;
  body: Element;
  security: Element;
  signature: Element;
  timestamp: Element;
  messageId: Element;
  /** Absent only from a Fault the provider sent before it could read the request. */
  relatesTo: Element | null;
}

export function locateResponseParts(doc: Document): ResponseParts {
  const env = doc.documentElement!;
  if (!isElement(env, SOAP_NS, 'Envelope')) fail('FIRMA_NON_VALIDA', `l'elemento radice deve essere soap:Envelope SOAP 1.1 (${SOAP_NS})`);
  const top = elementChildren(env);
  const header = top.length === 2 && isElement(top[0], SOAP_NS, 'Header') ? top[0] : undefined;
  const last = top[top.length - 1];
  if (!isElement(last, SOAP_NS, 'Body') || top.length > 2 || (top.length === 2 && !header)) {
    fail('FIRMA_NON_VALIDA', 'la busta deve contenere un soap:Header seguito da un solo soap:Body');
  }
  if (!header) fail('FIRMA_ASSENTE', 'la risposta non ha soap:Header con wsse:Security: il fornitore deve firmarla (ID_AUTH_SOAP_02)');
  for (const [ns, local, name] of UNIQUE) {
    const n = countInDocument(doc, ns, local);
    if (n > 1) fail('FIRMA_NON_VALIDA', `la risposta contiene ${n} elementi ${name}: ne è ammesso uno solo (protezione da signature wrapping)`);
  }
  const security = single(header, WSSE_NS, 'Security', 'FIRMA_ASSENTE', "la risposta non ha l'header wsse:Security: il fornitore deve firmarla (ID_AUTH_SOAP_02)");
  const signature = single(security, DS_NS, 'Signature', 'FIRMA_ASSENTE', 'wsse:Security della risposta non contiene ds:Signature');
  const timestamp = single(security, WSU_NS, 'Timestamp', 'TIMESTAMP_NON_VALIDO', 'wsse:Security della risposta deve contenere un wsu:Timestamp firmato');
  const messageId = single(header, WSA_NS, 'MessageID', 'FIRMA_NON_VALIDA', `la risposta deve avere un wsa:MessageID (${WSA_NS}) firmato`);
  const relatesTo = childrenNamed(header, WSA_NS, 'RelatesTo')[0] ?? null;
  return { header, body: last, security, signature, timestamp, messageId, relatesTo };
}

/** Elements a response has at most once in the whole document (any second copy could be a wrapper's decoy). */
const UNIQUE: ReadonlyArray<readonly [string, string, string]> = [
  [SOAP_NS, 'Header', 'soap:Header'],
  [SOAP_NS, 'Body', 'soap:Body'],
  [WSSE_NS, 'Security', 'wsse:Security'],
  [DS_NS, 'Signature', 'ds:Signature'],
  [WSU_NS, 'Timestamp', 'wsu:Timestamp'],
  [WSA_NS, 'MessageID', 'wsa:MessageID'],
  [WSA_NS, 'RelatesTo', 'wsa:RelatesTo'],
];

function single(parent: Element, ns: string, local: string, missing: WsSecurityCode, missingMessage: string): Element {
  const found = childrenNamed(parent, ns, local);
  if (found.length === 0) fail(missing, missingMessage);
  return found[0]!;
}

/** What the signature must cover: Body, Timestamp, MessageID, RelatesTo, and every block of ours in the header. */
function requiredParts(parts: ResponseParts): Array<[string, Element]> {
  const required: Array<[string, Element]> = [['soap:Body', parts.body], ['wsu:Timestamp', parts.timestamp], ['wsa:MessageID', parts.messageId]];
  if (parts.relatesTo) required.push(['wsa:RelatesTo', parts.relatesTo]);
  for (const block of elementChildren(parts.header)) if (block.namespaceURI === NS.com) required.push([`com:${block.localName}`, block]);
  return required;
}

export interface ResponseTarget {
  element: Element;
  /** How a refusal names it. */
  name: string;
}

/**
 * Resolves each reference, by an Id found once in the whole document, to soap:Body, a header block or a child of
 * wsse:Security (never anything inside the Body, never the Signature); every required part must be covered.
 */
export function resolveResponseReferences(occurrences: ReadonlyMap<string, number>, parts: ResponseParts, refs: readonly SignedReference[]): Map<string, ResponseTarget> {
  const required = new Map<string, string>();
  for (const [name, el] of requiredParts(parts)) {
    const id = wsuId(el);
    if (!id) fail('FIRMA_NON_VALIDA', `${name} della risposta non ha wsu:Id e quindi non è firmato`);
    required.set(id, name);
  }
  const candidates = new Map<string, Element>();
  for (const el of [parts.body, ...elementChildren(parts.header), ...elementChildren(parts.security)]) {
    const id = wsuId(el);
    if (id && el !== parts.signature && el !== parts.security) candidates.set(id, el);
  }
  const targets = new Map<string, ResponseTarget>();
  for (const { id } of refs) {
    if (targets.has(id)) fail('FIRMA_NON_VALIDA', `ds:SignedInfo contiene due Reference a #${id}`);
    const n = occurrences.get(id) ?? 0;
    if (n !== 1) fail('FIRMA_NON_VALIDA', n === 0 ? `la firma si riferisce a #${id}, che non esiste nella risposta` : `l'Id ${id} compare ${n} volte nella risposta: gli Id devono essere univoci`);
    const element = candidates.get(id);
    if (!element) fail('FIRMA_NON_VALIDA', `la firma si riferisce a #${id}, che non è soap:Body né un header della risposta o di wsse:Security`);
    targets.set(id, { element, name: required.get(id) ?? `#${id}` });
  }
  for (const [id, name] of required) {
    if (!targets.has(id)) fail('FIRMA_NON_VALIDA', `la firma della risposta non copre ${name}`);
  }
  return targets;
}
