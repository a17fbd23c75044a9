import { createHash, randomUUID, type KeyObject, type X509Certificate } from 'node:crypto';
import { ApeError } from '../../errors';
import { checkXmlLimits, DEFAULT_XML_LIMITS } from '../../xml/limits';
import { NS } from '../../xml/namespaces';
import type { EnvelopeTree } from '../../xml/envelope-tree';
import { xmlElement, type XmlElement } from '../../xml/write';
import type { Bindings } from './c14n';
import { canonicalTree, resolve, scopeOf, splitName, TreeNotCanonical } from './c14n-tree';
import { ALGORITHMS, BASE64_BINARY, DEFAULT_TTL_SECONDS, DS_NS, SOAP_NS, WSA_NS, WSSE_NS, WSU_NS, X509V3 } from './constants';
import { firmaValore, metodoDellaChiave } from './metodo-firma';
import type { ResponseSigner, SignResponseOptions } from './response';
import { newId, signingKey, type SignOptions } from './sign';

/**
 * Signing an envelope we wrote ourselves from its trees (EnvelopeTree: the header blocks and payload `el` built, or
 * a forwarded payload kept in canonical form), without parsing its text back: the signed parts are canonicalized
 * from the trees (c14n-tree.ts) and the signed envelope is written as text. What goes out, and what the receiver digests, is what signEnvelope and signResponse
 * produce for the same envelope (the same header blocks and parts, signed in the same order, with the same
 * algorithms); test/unit/sign-tree.test.ts verifies one with the other's verifier.
 *
 * Either function returns null for an envelope it does not take: a part c14n-tree declines, a header block or
 * attribute it would have to rename, a block the signer adds that is there already, options the text signer refuses.
 * The caller then signs the text (signEnvelope, signResponse), which decides, and refuses what it must.
 */

/** Request: as signEnvelope (wsa:To, wsa:MessageID, wsse:Security with mustUnderstand, every com:* and wsa:* block signed). */
export function signEnvelopeTree(env: EnvelopeTree | null, o: SignOptions): string | null {
  const ttl = o.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!env || o.to.trim() === '' || o.messageId?.trim() === '' || !(ttl > 0)) return null;
  const { cert, key } = signingKey(o.keyPem, o.certPem);
  return signed(env, [[WSSE_NS, 'Security'], [WSA_NS, 'To'], [WSA_NS, 'MessageID']], (scope) => {
    // Every other block the receiver acts on (com:Operatore, com:X-ReplyTo, com:X-Correlation-ID, any wsa:*) is signed.
    // A block left unsigned is still sent: it must be one a parser reads as written, like the signed ones.
    for (const h of env.headers) if (!actedOn(h, scope)) canonicalTree(h, scope);
    const headers = env.headers.map((h) => (actedOn(h, scope) ? withWsuId(h, newId(splitName(h.name)[1].replace(/[^A-Za-z0-9]/g, ''))) : h));
    const to = addressing('To', o.to, newId('To'));
    const messageId = addressing('MessageID', o.messageId ?? `urn:uuid:${randomUUID()}`, newId('MID'));
    return {
      headers: [...headers, to, messageId],
      signedHeaders: [to, messageId, ...headers.filter((h) => actedOn(h, scope))],
      security: { cert, key, now: o.now, ttl, mustUnderstand: true },
    };
  });
}

/** Response: as signResponse (wsa:MessageID, wsa:RelatesTo, wsa:Action, every block signed, no mustUnderstand). */
export function signResponseTree(env: EnvelopeTree | null, signer: ResponseSigner, o: SignResponseOptions): string | null {
  const ttl = o.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!env || !(ttl > 0) || o.messageId?.trim() === '' || o.relatesTo?.trim() === '') return null;
  return signed(env, [[WSSE_NS, 'Security'], [WSA_NS, 'MessageID'], [WSA_NS, 'RelatesTo'], [WSA_NS, 'Action']], () => {
    const blocks = env.headers.map((h) => withWsuId(h, newId('H')));
    const addressingBlocks = [addressing('MessageID', o.messageId ?? `urn:uuid:${randomUUID()}`, newId('MID'))];
    if (o.relatesTo !== null) addressingBlocks.push(addressing('RelatesTo', o.relatesTo, newId('REL')));
    if (o.action) addressingBlocks.push(addressing('Action', o.action, newId('ACT')));
    return {
      headers: [...blocks, ...addressingBlocks],
      signedHeaders: [...addressingBlocks, ...blocks],
      security: { cert: signer.cert, key: signer.key, now: o.now, ttl, mustUnderstand: false },
    };
  });
}

interface SecurityOptions {
  cert: X509Certificate;
  key: KeyObject;
  now: Date;
  ttl: number;
  mustUnderstand: boolean;
}

interface Plan {
  /** The header blocks after wsse:Security, in order. */
  headers: XmlElement[];
  /** Those signed, in the order of their references after the Timestamp's (the Body's is last). */
  signedHeaders: XmlElement[];
  security: SecurityOptions;
}

function signed(env: EnvelopeTree, added: readonly (readonly [string, string])[], plan: (scope: Bindings) => Plan): string | null {
  const scope = env.declarations;
  if (scope.get('soap') !== SOAP_NS) return null;
  try {
    for (const el of env.headers) refuseAdded(el, scope, added);
    const body = bodyOf(env.payload, scope, added, newId('Body'));
    const p = plan(scope);
    const parts = [...p.signedHeaders.map((h) => ({ id: wsuIdOf(h), canonical: canonicalTree(h, scope) })), body];
    const security = securityHeader(p.security, parts, scope);
    let text = `${env.opening}<soap:Header>${security.text}`;
    for (const h of p.headers) text += h.text;
    text += `</soap:Header>${body.text}</soap:Envelope>`;
    // What the receiver would refuse unread (too deep, too many nodes, a text too long) the text signer refuses
    // here, as it always did, instead of sending it.
    checkXmlLimits(text, DEFAULT_XML_LIMITS);
    return text;
  } catch (err) {
    if (err instanceof TreeNotCanonical || (err instanceof ApeError && (err.code === 'XML_TROPPO_COMPLESSO' || err.code === 'XML_MALFORMATO'))) return null;
    throw err;
  }
}

/** A signed part: its wsu:Id and its exclusive canonical form. */
interface SignedPart {
  id: string;
  canonical: string;
}

/** soap:Body with its wsu:Id around the payload: its text, and its canonical form for the digest. */
function bodyOf(payload: EnvelopeTree['payload'], scope: Bindings, added: readonly (readonly [string, string])[], id: string): SignedPart & { text: string } {
  if ('canonical' in payload) {
    const c = payload.canonical;
    // A payload's canonical form is the one it has inside the Body unless it uses a binding the Body's canonical
    // form renders for it (soap, wsu); a copy of a block the signer adds would name its namespace. Either: the text
    // signer decides.
    if (c.includes(`xmlns:soap="${SOAP_NS}"`) || c.includes(`xmlns:wsu="${WSU_NS}"`) || added.some(([ns]) => c.includes(ns))) {
      throw new TreeNotCanonical('canonical payload');
    }
    return { id, text: `<soap:Body xmlns:wsu="${WSU_NS}" wsu:Id="${id}">${c}</soap:Body>`, canonical: `<soap:Body xmlns:soap="${SOAP_NS}" xmlns:wsu="${WSU_NS}" wsu:Id="${id}">${c}</soap:Body>` };
  }
  refuseAdded(payload, scope, added);
  const body = xmlElement('soap:Body', [['xmlns:wsu', WSU_NS], ['wsu:Id', id]], [payload]);
  return { id, text: body.text, canonical: canonicalTree(body, scope) };
}

/** The blocks the signer adds must not be anywhere in the envelope already (a wrapper can hide a copy at any depth). */
function refuseAdded(el: XmlElement, outer: Bindings, added: readonly (readonly [string, string])[]): void {
  const scope = scopeOf(el, outer);
  const [prefix, local] = splitName(el.name);
  const ns = resolve(scope, prefix);
  if (added.some(([n, l]) => n === ns && l === local)) throw new TreeNotCanonical(`${el.name} already there`);
  for (const c of el.children) if (typeof c !== 'string') refuseAdded(c, scope, added);
}

function actedOn(h: XmlElement, scope: Bindings): boolean {
  const ns = resolve(scopeOf(h, scope), splitName(h.name)[0]);
  return ns === NS.com || ns === WSA_NS;
}

/** The block with xmlns:wsu and its wsu:Id; one that has either already is left to the text signer. */
function withWsuId(h: XmlElement, id: string): XmlElement {
  if (h.attrs.some(([name]) => name === 'xmlns:wsu' || name.endsWith(':Id'))) throw new TreeNotCanonical(`${h.name} has an Id`);
  return xmlElement(h.name, [...h.attrs, ['xmlns:wsu', WSU_NS], ['wsu:Id', id]], h.children);
}

function addressing(local: string, value: string, id: string): XmlElement {
  return xmlElement(`wsa:${local}`, [['xmlns:wsa', WSA_NS], ['xmlns:wsu', WSU_NS], ['wsu:Id', id]], [value]);
}

function wsuIdOf(el: XmlElement): string {
  return el.attrs.find(([name]) => name === 'wsu:Id')![1];
}

/** wsse:Security: Timestamp, BinarySecurityToken, then the ds:Signature over the Timestamp and the given parts. */
function securityHeader(o: SecurityOptions, parts: readonly SignedPart[], envelopeScope: Bindings): XmlElement {
  const securityAttrs: [string, string][] = [['xmlns:wsse', WSSE_NS], ['xmlns:wsu', WSU_NS]];
  if (o.mustUnderstand) securityAttrs.push(['soap:mustUnderstand', '1']);
  const inSecurity = scopeOf(xmlElement('wsse:Security', securityAttrs, []), envelopeScope);

  const expires = new Date(o.now.getTime() + o.ttl * 1000);
  const timestampId = newId('TS');
  const timestamp = xmlElement('wsu:Timestamp', [['wsu:Id', timestampId]], [
    xmlElement('wsu:Created', [], [o.now.toISOString()]),
    xmlElement('wsu:Expires', [], [expires.toISOString()]),
  ]);
  const tokenId = newId('X509');
  const token = xmlElement('wsse:BinarySecurityToken', [['EncodingType', BASE64_BINARY], ['ValueType', X509V3], ['wsu:Id', tokenId]], [o.cert.raw.toString('base64')]);

  const references = [{ id: timestampId, canonical: canonicalTree(timestamp, inSecurity) }, ...parts].map(reference);
  const signedInfo = xmlElement('ds:SignedInfo', [], [ds('CanonicalizationMethod', ALGORITHMS.canonicalizzazione), ds('SignatureMethod', metodoDellaChiave(o.key)!), ...references]);
  const inSignature = new Map(inSecurity).set('ds', DS_NS);
  const value = firmaValore(canonicalTree(signedInfo, inSignature), o.key);
  const keyInfo = xmlElement('ds:KeyInfo', [], [
    xmlElement('wsse:SecurityTokenReference', [], [xmlElement('wsse:Reference', [['URI', `#${tokenId}`], ['ValueType', X509V3]], [])]),
  ]);
  const signature = xmlElement('ds:Signature', [['xmlns:ds', DS_NS]], [signedInfo, xmlElement('ds:SignatureValue', [], [value]), keyInfo]);
  return xmlElement('wsse:Security', securityAttrs, [timestamp, token, signature]);
}

/** An empty ds:* element naming an algorithm (CanonicalizationMethod, SignatureMethod, Transform, DigestMethod). */
export function ds(local: string, algorithm: string): XmlElement {
  return xmlElement(`ds:${local}`, [['Algorithm', algorithm]], []);
}

function reference(part: SignedPart): XmlElement {
  return xmlElement('ds:Reference', [['URI', `#${part.id}`]], [
    xmlElement('ds:Transforms', [], [ds('Transform', ALGORITHMS.canonicalizzazione)]),
    ds('DigestMethod', ALGORITHMS.digest),
    xmlElement('ds:DigestValue', [], [createHash('sha256').update(part.canonical, 'utf8').digest('base64')]),
  ]);
}
