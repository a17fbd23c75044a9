import path from 'node:path';
import { Libxml } from 'node-libxml';
import { ApeError } from '../errors';
import { WSDL_DIR } from '../paths';
import { NS, clark } from './namespaces';
import { parseTree, type XmlNode } from './tree';

/**
 * The one door through which every inbound SOAP message passes (requests on our endpoints, responses to our
 * calls): refuse DTDs (XXE, entity expansion), have libxml2 check well-formedness (no network, no entity
 * substitution, nesting bounded) and validate the whole envelope against the contracts' XSD (compiled once per
 * process), then read it as a namespace-resolved tree.
 */

export interface ParsedEnvelope {
  /** Header blocks, in order. */
  headers: XmlNode[];
  /** The single payload element of the Body (or soap:Fault). */
  payload: XmlNode;
  /** {namespace}local of the payload. */
  payloadName: string;
  /** Validation problems against the contracts (empty when valid); see validateEnvelope. */
  schemaErrors: string[];
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

const DTD_MARKERS = /<!DOCTYPE|<!ENTITY/i;
const ENCODING_DECL = /^\uFEFF?<\?xml[^>]*\bencoding\s*=\s*["']([^"']*)["']/;

export function qname(n: XmlNode): string {
  return clark(n.ns, n.local);
}

/** Parses, validates and structurally checks a SOAP 1.1 envelope; schema problems are reported by validateEnvelope. */
export function parseEnvelope(xml: string): ParsedEnvelope {
  // SOAP 1.1 (section 3) forbids DTDs in messages; refusing them outright closes XXE and entity expansion.
  if (DTD_MARKERS.test(xml)) throw new ApeError('DTD_NON_AMMESSA', 'i messaggi SOAP non possono contenere una DTD (<!DOCTYPE> o <!ENTITY>)');
  // libxml2 receives the text as a C string: a NUL would end the document it checks, not the one that is read.
  if (xml.includes('\u0000')) throw new ApeError('XML_MALFORMATO', 'XML non ben formato: il carattere NUL non è ammesso');
  // The body was decoded as UTF-8; a declaration of another encoding would make libxml2 read other characters.
  const enc = ENCODING_DECL.exec(xml)?.[1];
  if (enc !== undefined && enc.toLowerCase() !== 'utf-8') throw new ApeError('XML_MALFORMATO', `codifica "${enc}" non ammessa: i messaggi sono in UTF-8`);
  const lx = validator();
  let schemaErrors: string[];
  try {
    if (!lx.loadXmlFromString(xml)) {
      const errs = ((lx as unknown as { wellformedErrors?: Array<{ message: string; line: number; column: number }> }).wellformedErrors ?? []);
      const first = errs[0];
      throw new ApeError('XML_MALFORMATO', `XML non ben formato: ${first ? `${first.message.trim()} (riga ${first.line}, colonna ${first.column})` : 'documento vuoto o illeggibile'}`);
    }
    const valid = lx.validateAgainstSchemas(5);
    const byFile = (lx as unknown as { validationSchemaErrors?: Record<string, Array<{ message: string; line: number }>> }).validationSchemaErrors ?? {};
    schemaErrors = valid === false ? Object.values(byFile).flat().map((e) => `${e.message.trim()}${e.line ? ` (riga ${e.line})` : ''}`) : [];
    if (valid === null) throw new Error('the contracts schema is not loaded');
  } finally {
    lx.freeXml();
  }

  let root: XmlNode;
  try {
    root = parseTree(xml);
  } catch (err) {
    throw new ApeError('XML_MALFORMATO', `XML non leggibile: ${(err as Error).message}`, { cause: err });
  }
  if (root.local !== 'Envelope' || (root.ns !== NS.soap && root.ns !== NS.soap12)) {
    throw new ApeError('SOAP_NON_VALIDO', `l'elemento radice deve essere soap:Envelope (${NS.soap}), trovato ${qname(root)}`);
  }
  if (root.ns === NS.soap12) throw new ApeError('SOAP_NON_VALIDO', `SOAP 1.2 non supportato: usare SOAP 1.1 (${NS.soap})`);
  const parts = root.children;
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
  return { headers, payload, payloadName: qname(payload), schemaErrors };
}

/** Throws SCHEMA_NON_VALIDO when the envelope (payload and declared header blocks) does not match the contracts. */
export function validateEnvelope(env: ParsedEnvelope): void {
  if (env.schemaErrors.length > 0) {
    throw new ApeError('SCHEMA_NON_VALIDO', `messaggio non conforme allo schema: ${env.schemaErrors.slice(0, 5).join(' | ')}`);
  }
}
