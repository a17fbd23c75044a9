import { DS_NS, SIGNED_HEADER_NAMESPACES, SOAP_NS, WSA_NS, WSSE_NS, WSU_NS } from './constants';
import { fail, type WsSecurityCode } from './errors';
import { childrenNamed, elementChildren, isElement, type Census } from './dom';

/**
 * The parts of a signed envelope, found by their position before anything else is trusted: a second copy of any
 * of them anywhere in the document is refused (signature wrapping).
 */

export interface SecuredParts {
  header: Element;
  body: Element;
  security: Element;
  signature: Element;
  timestamp: Element;
  to: Element;
  messageId: Element;
  /**
   * Every other header block the broker acts on, by name: the contract's (com:Operatore, com:X-ReplyTo,
   * com:X-Correlation-ID, any com:*) and every WS-Addressing one (wsa:Action, wsa:ReplyTo, wsa:RelatesTo...).
   * Each must be signed, or an intermediary could rewrite who did it and where the answer goes.
   */
  trusted: Array<[string, Element]>;
}

/** WS-Addressing drafts before the 1.0 Recommendation (2004/08 is what older stacks send by default). */
const OLD_ADDRESSING = /^http:\/\/schemas\.xmlsoap\.org\/ws\/200[34]\/\d\d\/addressing\/?$/;

/**
 * Finds the parts by position and refuses any second copy anywhere in the document: a copy is what a
 * signature-wrapping attack needs (signed original hidden in a wrapper, forged element where it is read).
 */
export function locateParts(doc: Document, counted: Census): SecuredParts {
  const env = doc.documentElement!;
  if (!isElement(env, SOAP_NS, 'Envelope')) fail('FIRMA_NON_VALIDA', `l'elemento radice deve essere soap:Envelope SOAP 1.1 (${SOAP_NS})`);
  const top = elementChildren(env);
  const header = top.length === 2 && isElement(top[0], SOAP_NS, 'Header') ? top[0] : undefined;
  const last = top[top.length - 1];
  if (!isElement(last, SOAP_NS, 'Body') || top.length > 2 || (top.length === 2 && !header)) {
    fail('FIRMA_NON_VALIDA', 'la busta deve contenere un soap:Header seguito da un solo soap:Body');
  }
  if (!header) fail('FIRMA_ASSENTE', 'manca il soap:Header con wsse:Security: il messaggio deve essere firmato secondo ID_AUTH_SOAP_02 e INTEGRITY_SOAP_01');
  requireUnique(counted, SOAP_NS, 'Header', 'soap:Header');
  requireUnique(counted, SOAP_NS, 'Body', 'soap:Body');

  const security = single(header, WSSE_NS, 'Security', 'FIRMA_ASSENTE', "manca l'header wsse:Security: il messaggio deve essere firmato (ID_AUTH_SOAP_02)");
  requireUnique(counted, WSSE_NS, 'Security', 'wsse:Security');
  const signature = single(security, DS_NS, 'Signature', 'FIRMA_ASSENTE', 'wsse:Security non contiene ds:Signature: il messaggio deve essere firmato');
  // The only other signature the contracts carry is INPS's origin signature, the last child of the payload
  // (verifica-pacchetto.wsdl); any further one can only be there to confuse.
  const payload = elementChildren(last)[0];
  const payloadChildren = payload ? elementChildren(payload) : [];
  const origin = isElement(payloadChildren[payloadChildren.length - 1], DS_NS, 'Signature') ? 1 : 0;
  const signatures = (counted.names.get(`{${DS_NS}}Signature`) ?? 0) - origin;
  if (signatures > 1) {
    fail('FIRMA_NON_VALIDA', `il messaggio contiene ${signatures} elementi ds:Signature oltre alla firma d'origine (ultimo figlio del payload): ne è ammesso uno solo, in wsse:Security (protezione da signature wrapping)`);
  }
  const timestamp = single(security, WSU_NS, 'Timestamp', 'TIMESTAMP_NON_VALIDO', 'wsse:Security deve contenere un wsu:Timestamp firmato con Created ed Expires');
  requireUnique(counted, WSU_NS, 'Timestamp', 'wsu:Timestamp');
  const old = elementChildren(header).find((h) => OLD_ADDRESSING.test(h.namespaceURI ?? ''));
  if (old) {
    fail('DESTINATARIO_NON_VALIDO', `WS-Addressing ${old.namespaceURI} non è ammesso (trovato ${old.localName}): usare WS-Addressing 1.0, namespace ${WSA_NS}, per wsa:To, wsa:MessageID e gli altri header wsa`);
  }
  const to = single(header, WSA_NS, 'To', 'DESTINATARIO_NON_VALIDO', `manca l'header wsa:To (${WSA_NS}) firmato con l'indirizzo del destinatario`);
  requireUnique(counted, WSA_NS, 'To', 'wsa:To');
  const messageId = single(header, WSA_NS, 'MessageID', 'FIRMA_NON_VALIDA', `manca l'header wsa:MessageID (${WSA_NS}) firmato, obbligatorio per ID_AUTH_SOAP_02`);
  requireUnique(counted, WSA_NS, 'MessageID', 'wsa:MessageID');
  const trusted = elementChildren(header)
    .filter((h) => h !== to && h !== messageId && SIGNED_HEADER_NAMESPACES.includes(h.namespaceURI ?? ''))
    .map((h): [string, Element] => [`${h.namespaceURI === WSA_NS ? 'wsa' : 'com'}:${h.localName}`, h]);
  return { header, body: last, security, signature, timestamp, to, messageId, trusted };
}

function single(parent: Element, ns: string, local: string, missing: WsSecurityCode, missingMessage: string): Element {
  const found = childrenNamed(parent, ns, local);
  if (found.length === 0) fail(missing, missingMessage);
  if (found.length > 1) fail('FIRMA_NON_VALIDA', `${parent.localName} contiene ${found.length} elementi ${local}: ne è ammesso uno solo`);
  return found[0]!;
}

function requireUnique(counted: Census, ns: string, local: string, name: string): void {
  const n = counted.names.get(`{${ns}}${local}`) ?? 0;
  if (n > 1) fail('FIRMA_NON_VALIDA', `il messaggio contiene ${n} elementi ${name}: ne è ammesso uno solo (protezione da signature wrapping)`);
}

export function requiredParts(parts: SecuredParts): Array<[string, Element]> {
  return [['soap:Body', parts.body], ['wsu:Timestamp', parts.timestamp], ['wsa:To', parts.to], ['wsa:MessageID', parts.messageId]];
}
