import path from 'node:path';
import { parseXml, XMLElement, XMLDocument, XMLParseFlags } from 'libxmljs';
import bindings from 'libxmljs/dist/lib/bindings';
import { ApeError } from '../errors';
import { WSDL_DIR } from '../paths';
import { NS, clark } from './namespaces';

/**
 * The one door through which every inbound SOAP message passes (requests on our endpoints, responses to our
 * calls): refuse DTDs (XXE, entity expansion), parse with libxml2 without network or entity substitution,
 * check the SOAP 1.1 envelope, then validate the whole envelope against the contracts' XSD, compiled once.
 */

export interface ParsedEnvelope {
  doc: XMLDocument;
  /** Header blocks, in order. */
  headers: XMLElement[];
  /** The single payload element of the Body (or soap:Fault). */
  payload: XMLElement;
  /** {namespace}local of the payload. */
  payloadName: string;
}

const SCHEMA_FILES = ['soap11-envelope.xsd', 'comune.xsd', 'istruttoria.xsd', 'pacchetto.xsd', 'esiti.xsd'];
const SCHEMA_NAMESPACES: Record<string, string> = {
  'soap11-envelope.xsd': NS.soap,
  'comune.xsd': NS.com,
  'istruttoria.xsd': NS.ist,
  'pacchetto.xsd': NS.pac,
  'esiti.xsd': NS.esi,
};

type NativeSchema = unknown;

/** libxmljs keeps the libxml2 pointer protected; the schema API needs it. */
function nativeRef(doc: XMLDocument): unknown {
  return (doc as unknown as { getNativeReference(): unknown }).getNativeReference();
}
let compiled: { validCtxt: NativeSchema; keepAlive: unknown[] } | null = null;

/** Compiles the contracts' schemas once per process (libxml2 would otherwise recompile on every call). */
function schema(): NativeSchema {
  if (compiled) return compiled.validCtxt;
  const dir = path.join(WSDL_DIR, 'xsd');
  const imports = SCHEMA_FILES.map(
    (f) => `<xs:import namespace="${SCHEMA_NAMESPACES[f]}" schemaLocation="file://${path.join(dir, f)}"/>`,
  ).join('');
  const wrapper = parseXml(`<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">${imports}</xs:schema>`);
  const b = bindings as unknown as Record<string, (...args: unknown[]) => unknown>;
  const parserCtxt = b.xmlSchemaNewDocParserCtxt!(nativeRef(wrapper));
  const compiledSchema = b.xmlSchemaParse!(parserCtxt);
  if (!compiledSchema) throw new Error(`the XSD in ${dir} do not compile`);
  const validCtxt = b.xmlSchemaNewValidCtxt!(compiledSchema);
  compiled = { validCtxt, keepAlive: [wrapper, parserCtxt, compiledSchema] };
  return validCtxt;
}

/** Validation errors of a parsed document against the contracts (empty when valid). */
export function schemaErrors(doc: XMLDocument): string[] {
  const ctxt = schema();
  const b = bindings as unknown as {
    withStructuredErrors: <T>(fn: (errors: Array<{ message: string; line?: number }>) => T) => T;
    xmlSchemaValidateDoc: (ctxt: unknown, doc: unknown) => number;
  };
  return b.withStructuredErrors((errors) => {
    const rc = b.xmlSchemaValidateDoc(ctxt, nativeRef(doc));
    if (rc === 0) return [];
    const messages = errors.map((e) => `${e.message.trim()}${e.line ? ` (riga ${e.line})` : ''}`);
    return messages.length > 0 ? messages : [`validazione fallita (codice libxml2 ${rc})`];
  });
}

const DTD_MARKERS = /<!DOCTYPE|<!ENTITY/i;

export function elementChildren(el: XMLElement): XMLElement[] {
  return el.childNodes().filter((n): n is XMLElement => n.type() === 'element');
}

export function qname(el: XMLElement): string {
  return clark(el.namespace()?.href() ?? '', el.name());
}

/** Parses and structurally checks a SOAP 1.1 envelope; does not validate the payload (see validateEnvelope). */
export function parseEnvelope(xml: string): ParsedEnvelope {
  // SOAP 1.1 (section 3) forbids DTDs in messages; refusing them outright closes XXE and entity expansion.
  if (DTD_MARKERS.test(xml)) throw new ApeError('DTD_NON_AMMESSA', 'i messaggi SOAP non possono contenere una DTD (<!DOCTYPE> o <!ENTITY>)');
  let doc: XMLDocument;
  try {
    doc = parseXml(xml, { flags: [XMLParseFlags.XML_PARSE_NONET] });
  } catch (err) {
    throw new ApeError('XML_MALFORMATO', `XML non ben formato: ${String((err as Error).message).trim()}`, { cause: err });
  }
  const root = doc.root();
  if (!root) throw new ApeError('XML_MALFORMATO', 'documento XML vuoto');
  const rootNs = root.namespace()?.href();
  if (root.name() !== 'Envelope' || (rootNs !== NS.soap && rootNs !== NS.soap12)) {
    throw new ApeError('SOAP_NON_VALIDO', `l'elemento radice deve essere soap:Envelope (${NS.soap}), trovato ${qname(root)}`);
  }
  if (rootNs === NS.soap12) throw new ApeError('SOAP_NON_VALIDO', `SOAP 1.2 non supportato: usare SOAP 1.1 (${NS.soap})`);
  const parts = elementChildren(root);
  let i = 0;
  let headers: XMLElement[] = [];
  if (parts[i] && parts[i]!.name() === 'Header' && parts[i]!.namespace()?.href() === NS.soap) {
    headers = elementChildren(parts[i]!);
    i++;
  }
  const body = parts[i];
  if (!body || body.name() !== 'Body' || body.namespace()?.href() !== NS.soap || parts.length !== i + 1) {
    throw new ApeError('SOAP_NON_VALIDO', 'la busta SOAP deve contenere un Header facoltativo seguito da un solo Body');
  }
  const payloads = elementChildren(body);
  if (payloads.length !== 1) throw new ApeError('SOAP_NON_VALIDO', `il Body deve contenere un solo elemento, ne contiene ${payloads.length}`);
  const payload = payloads[0]!;
  return { doc, headers, payload, payloadName: qname(payload) };
}

/** Validates the whole envelope (payload and declared header blocks) against the contracts. */
export function validateEnvelope(env: ParsedEnvelope): void {
  const errors = schemaErrors(env.doc);
  if (errors.length > 0) {
    throw new ApeError('SCHEMA_NON_VALIDO', `messaggio non conforme allo schema: ${errors.slice(0, 5).join(' | ')}`);
  }
}
