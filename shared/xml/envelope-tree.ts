import type { XmlElement } from './write';

/**
 * A SOAP 1.1 envelope we are about to send, as trees: its opening text up to and including the soap:Envelope start
 * tag (prefix `soap`), the namespaces that tag declares, the header blocks and the one payload element of the Body,
 * as a tree or, for a body received and forwarded, as its exclusive canonical form (Xml.canonico).
 */
export interface EnvelopeTree {
  opening: string;
  declarations: ReadonlyMap<string, string>;
  headers: readonly XmlElement[];
  payload: XmlElement | { canonical: string };
}
