import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ApeError } from '../errors';
import { identityOf } from '../config/load';
import type { FederationConfig, IdentityConfig } from '../config/schema';
import { canonicalize } from '../soap/wssecurity/c14n';
import { DS_NS, SOAP_NS } from '../soap/wssecurity/constants';
import { issuedBy } from '../soap/wssecurity/certificates';
import { elementChildren, isElement, parseStrict } from '../soap/wssecurity/dom';
import { refuseRevoked, type RevocationCheck } from '../pki/crl-store';
import { EnvelopedSignatureError, envelopedSignatureOf, serializeElement, signElement, verifyElement, type ElementSigner } from '../soap/wssecurity/enveloped';
import { signElementTree } from '../soap/wssecurity/enveloped-tree';
import type { CallContext, SoapOperation, SoapReply } from '../soap/service';
import { treeOfElement } from '../xml/dom-tree';
import { NS } from '../xml/namespaces';
import { XmlReader } from '../xml/read';
import { Xml } from '../xml/write';

/**
 * Origin of what INPS writes and the Ministero's hub forwards: VerificaPacchetto, SollecitaEsito, SegnalaCaso and
 * NotificaRiscontro. The WS-Security signature of a call says who sent it (the hub, under routing "hub"); this one
 * says who wrote it. INPS's dispatcher signs the payload element with INPS's own key (an enveloped XML Signature,
 * shared/soap/wssecurity/enveloped.ts), the hub keeps the signed element and forwards it unchanged, and every
 * recipient, the hub included, verifies before its handler reads a field that the signature holds and that its
 * certificate is INPS's registered identity's (issued by that identity's CA, naming its host, valid now). The
 * handler then reads the content from exactly the nodes that were verified. Refusals: ORIGINE_NON_VALIDA.
 */

/** INPS's dispatcher: the key and certificate its origin signatures are made with. */
export type FirmatarioOrigine = ElementSigner;

/** The prefixes the payload writers use, bound as the envelope binds them. */
const PREFISSI: ReadonlyMap<string, string> = new Map(Object.entries({ com: NS.com, ist: NS.ist, pac: NS.pac, esi: NS.esi }));

/** Declarations the payload writers' prefixes need while the payload is signed outside its envelope. */
const DICHIARAZIONI = [...PREFISSI].map(([p, ns]) => `xmlns:${p}="${ns}"`).join(' ');

/**
 * The payload signed by INPS (its Id and ds:Signature added), ready to be the Body of a call. A payload `el` wrote
 * is signed from its tree and stays one (so the call is signed from its trees too); any other from its text.
 */
export function firmaOrigine(payload: Xml, firmatario: FirmatarioOrigine): Xml {
  const albero = payload.nodi?.length === 1 ? signElementTree(payload.nodi[0]!, PREFISSI, firmatario) : null;
  if (albero) return new Xml(albero.text, [albero]);
  const parsed = parseStrict(`<firma ${DICHIARAZIONI}>${payload.text}</firma>`);
  if ('error' in parsed) throw new Error(`firmaOrigine: ${parsed.error}`);
  const el = elementChildren(parsed.doc.documentElement!)[0]!;
  signElement(el, firmatario);
  return new Xml(serializeElement(el));
}

/** Whose signature a recipient accepts as the origin: INPS's dispatcher's registered identity and its CA. */
export interface RegolaOrigine {
  identity: IdentityConfig;
  ca: X509Certificate;
  /** The CRLs in force: an origin signature made with a certificate they list is refused. */
  revocations?: RevocationCheck | null;
}

export function regolaOrigine(config: FederationConfig, revocations: RevocationCheck | null = null): RegolaOrigine {
  const identity = identityOf(config, config.services.inpsDispatcher.identity);
  return { identity, ca: new X509Certificate(readFileSync(identity.caFile)), revocations };
}

/** What a handler learns about the origin: the signed payload as received (what the hub forwards) and its signer. */
export interface Origine {
  /** The signed payload element in exclusive canonical form: a faithful text of it, which a forwarder signs without parsing (Xml.canonico). */
  corpo: string;
  firmatario: string;
}

/** An operation whose payload must be INPS's: its handler runs only on a verified payload. */
export type OperazioneConOrigine = Omit<SoapOperation, 'handle'> & {
  handle(payload: XmlReader, ctx: CallContext, origine: Origine): Promise<SoapReply>;
};

export function conOrigineVerificata(regola: RegolaOrigine, op: OperazioneConOrigine): SoapOperation {
  return {
    ...op,
    async handle(payload, ctx) {
      const verificato = verificaOrigine(ctx.document, payload, regola, new Date());
      return op.handle(verificato.payload, ctx, verificato.origine);
    },
  };
}

function rifiuta(message: string): never {
  throw new ApeError('ORIGINE_NON_VALIDA', message);
}

/**
 * The Body's payload element of the document the intake parsed and verified, its origin signature checked; the
 * handler then reads the very nodes that were verified. (A string is parsed here: for tools and tests.)
 */
export function verificaOrigine(envelope: Document | string, letto: XmlReader, regola: RegolaOrigine, now: Date): { payload: XmlReader; origine: Origine } {
  const el = payloadOf(typeof envelope === 'string' ? documentOf(envelope) : envelope);
  if (el.namespaceURI !== letto.namespace || el.localName !== letto.name) {
    throw new ApeError('SOAP_NON_VALIDO', `il payload letto (${letto.name}) non è quello della busta (${el.localName ?? ''})`);
  }
  const nome = `${el.localName ?? ''}`;
  if (!envelopedSignatureOf(el)) {
    rifiuta(`${nome} non porta la firma d'origine di INPS (ds:Signature come ultimo elemento, verifica-pacchetto.wsdl): solo INPS scrive pacchetti e messaggi, l'hub li inoltra con la firma di INPS intatta`);
  }
  let cert: X509Certificate;
  try {
    cert = verifyElement(el);
  } catch (err) {
    if (err instanceof EnvelopedSignatureError) rifiuta(`firma d'origine di ${nome} non valida: ${err.message}`);
    throw err;
  }
  accettaFirmatario(cert, regola, now);
  const tree = treeOfElement(el, (c) => isElement(c, DS_NS, 'Signature'));
  return { payload: new XmlReader(tree), origine: { corpo: canonicalize(el, []), firmatario: `${cert.subject.replace(/\n/g, ', ')} (${cert.fingerprint256})` } };
}

function documentOf(envelope: string): Document {
  const parsed = parseStrict(envelope);
  if ('error' in parsed) throw new ApeError('XML_MALFORMATO', parsed.error);
  return parsed.doc;
}

function payloadOf(doc: Document): Element {
  const parts = elementChildren(doc.documentElement!);
  const body = parts[parts.length - 1];
  const payload = body && isElement(body, SOAP_NS, 'Body') ? elementChildren(body) : [];
  if (payload.length !== 1) throw new ApeError('SOAP_NON_VALIDO', 'il soap:Body deve contenere un solo elemento');
  return payload[0]!;
}

/** The signer must be INPS's registered identity: issued by its CA, not on its CRL, naming its host, valid now. */
function accettaFirmatario(cert: X509Certificate, regola: RegolaOrigine, now: Date): void {
  const { identity, ca } = regola;
  const chi = `${identity.code} (${identity.subjectCN})`;
  const soggetto = cert.subject.replace(/\n/g, ', ');
  if (!issuedBy(cert, ca)) rifiuta(`la firma d'origine è di "${soggetto}", certificato non emesso dalla CA registrata per ${chi}`);
  refuseRevoked(regola.revocations, ca.fingerprint256, cert.serialNumber, `il certificato della firma d'origine di ${chi}`);
  // checkHost looks at the DNS names in subjectAltName, and at the CN only when there are none.
  if (cert.checkHost(identity.subjectCN, { subject: 'default' }) === undefined) {
    rifiuta(`la firma d'origine è di "${soggetto}", non di ${chi}: solo INPS può scrivere pacchetti e messaggi`);
  }
  const t = now.getTime();
  if (t < Date.parse(cert.validFrom) || t > Date.parse(cert.validTo)) {
    rifiuta(`il certificato della firma d'origine di ${chi} non è valido in questo momento (valido dal ${cert.validFrom} al ${cert.validTo})`);
  }
}
