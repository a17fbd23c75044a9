import path from 'node:path';
import { Libxml } from 'node-libxml';
import { ApeError } from '../errors';
import { WSDL_DIR } from '../paths';
import { NS, clark } from './namespaces';
import { parseXmlDocument, schemaText } from './document';
import { DEFAULT_XML_LIMITS, type XmlLimits } from './limits';
import { elementTree, type XmlNode } from './tree';

/**
 * The one door through which every inbound SOAP message passes (requests on our endpoints, responses to our
 * calls): parsed once (document.ts: no DTD, no NUL, UTF-8, shape within the limits, strict), its envelope structure
 * checked, and, when validateEnvelope is called, the whole envelope validated by libxml2 against the contracts' XSD
 * (compiled once per process). Headers and payload are namespace-resolved views of that same document.
 */

export interface ParsedEnvelope {
  /** The one parsed document: the signature is verified on it and the schema validates its serialization. */
  document: Document;
  /** Header blocks, in order. */
  headers: XmlNode[];
  /** The single payload element of the Body (or soap:Fault). */
  payload: XmlNode;
  /** {namespace}local of the payload. */
  payloadName: string;
}

let libxml: Libxml | null = null;

/** libxml2 with the contracts' schemas loaded once; calls are synchronous, so one instance serves the process. */
function validator(): Libxml {
  if (libxml) return libxml;
  const lx = new Libxml();
  // One schema file importing the contracts, so their cross-imports resolve to a single copy of each.
  const wrapper = path.join(WSDL_DIR, 'xsd', 'contratti.xsd');
  lx.loadSchemas([wrapper]);
  const errors = ((lx as unknown as { schemasLoadedErrors?: Record<string, Array<{ message: string; level: number }>> }).schemasLoadedErrors ?? {});
  const fatal = Object.values(errors).flat().filter((e) => e.level >= 2);
  if (fatal.length > 0) throw new Error(`the contracts' XSD do not compile: ${fatal.map((e) => e.message.trim()).join('; ')}`);
  libxml = lx;
  return lx;
}

export function qname(n: XmlNode): string {
  return clark(n.ns, n.local);
}

/**
 * Parses a SOAP 1.1 envelope once (document.ts: DTD, NUL and encoding refused, shape within the limits) and checks
 * its structure; the schema is checked by validateEnvelope, once the caller is known to be allowed the operation.
 */
export function parseEnvelope(xml: string, limits: XmlLimits = DEFAULT_XML_LIMITS): ParsedEnvelope {
  return envelopeOf(parseXmlDocument(xml, limits));
}

/** The envelope structure of a document parsed already (parseXmlDocument): a response whose signature was verified on it. */
export function envelopeOf(document: Document): ParsedEnvelope {
  const root = document.documentElement!;
  const rootName = clark(root.namespaceURI ?? '', root.localName ?? root.tagName);
  if (root.localName !== 'Envelope' || (root.namespaceURI !== NS.soap && root.namespaceURI !== NS.soap12)) {
    throw new ApeError('SOAP_NON_VALIDO', `l'elemento radice deve essere soap:Envelope (${NS.soap}), trovato ${rootName}`);
  }
  if (root.namespaceURI === NS.soap12) throw new ApeError('SOAP_NON_VALIDO', `SOAP 1.2 non supportato: usare SOAP 1.1 (${NS.soap})`);
  const parts = elementTree(root).children;
  let i = 0;
  let headers: XmlNode[] = [];
  if (parts[i] && parts[i]!.local === 'Header' && parts[i]!.ns === NS.soap) {
    headers = parts[i]!.children;
    i++;
  }
  const body = parts[i];
  if (!body || body.local !== 'Body' || body.ns !== NS.soap || parts.length !== i + 1) {
    throw new ApeError('SOAP_NON_VALIDO', 'la busta SOAP deve contenere un Header facoltativo seguito da un solo Body');
  }
  if (body.children.length !== 1) throw new ApeError('SOAP_NON_VALIDO', `il Body deve contenere un solo elemento, ne contiene ${body.children.length}`);
  const payload = body.children[0]!;
  return { document, headers, payload, payloadName: qname(payload) };
}

/**
 * Throws SCHEMA_NON_VALIDO when the envelope (payload and declared header blocks) does not match the contracts.
 * libxml2 validates the parsed document's serialization (schemaText), not the bytes received: it sees exactly the
 * tree that is verified and read, and it is given only documents already within the limits.
 */
export function validateEnvelope(env: ParsedEnvelope): void {
  const lx = validator();
  let errors: string[];
  try {
    if (!lx.loadXmlFromString(schemaText(env.document))) throw new ApeError('XML_MALFORMATO', 'XML non ben formato: il documento letto non si rilegge (caratteri non ammessi in XML?)');
    const valid = lx.validateAgainstSchemas(5);
    if (valid === null) throw new Error('the contracts schema is not loaded');
    const byFile = (lx as unknown as { validationSchemaErrors?: Record<string, Array<{ message: string; line: number }>> }).validationSchemaErrors ?? {};
    errors = valid === false ? Object.values(byFile).flat().map((e) => e.message.trim()) : [];
  } finally {
    lx.freeXml();
  }
  if (errors.length > 0) throw new ApeError('SCHEMA_NON_VALIDO', `messaggio non conforme allo schema: ${errors.slice(0, 5).join(' | ')}`);
}
