import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WSDL_DIR } from '../../paths';
import type { SoapService } from '../service';

/** The contracts' schemas a WSDL imports; only these are served, by name. */
const XSD_FILES = new Set(['comune.xsd', 'istruttoria.xsd', 'pacchetto.xsd', 'esiti.xsd']);

/**
 * The documents an endpoint serves on GET: each service's WSDL (`<path>?wsdl`) with this endpoint's public address
 * and its schema imports pointing back here, and the XSD those imports name (`/wsdl/xsd/<name>.xsd`).
 */
export class WsdlDocuments {
  private readonly byPath: ReadonlyMap<string, SoapService>;
  /** A WSDL is rewritten once per service; the XSD are read as they are asked for. */
  private readonly wsdlCache = new Map<string, string>();

  constructor(
    services: readonly SoapService[],
    private readonly publicUrl: string,
  ) {
    this.byPath = new Map(services.map((s) => [s.path, s]));
  }

  /** The WSDL (?wsdl, with this endpoint's address) or one of its XSD, or null. */
  find(url: URL): string | null {
    const service = this.byPath.get(url.pathname);
    if (service && url.search.toLowerCase() === '?wsdl') {
      let text = this.wsdlCache.get(service.path);
      if (!text) {
        text = readFileSync(path.join(WSDL_DIR, service.wsdl), 'utf8')
          .replace(/(<soap:address location=")[^"]*(")/, `$1${this.publicUrl}${service.path}$2`)
          .replace(/schemaLocation="xsd\//g, `schemaLocation="${this.publicUrl}/wsdl/xsd/`);
        this.wsdlCache.set(service.path, text);
      }
      return text;
    }
    const m = /^\/wsdl\/xsd\/([a-z0-9]+\.xsd)$/.exec(url.pathname);
    if (m && XSD_FILES.has(m[1]!)) return readFileSync(path.join(WSDL_DIR, 'xsd', m[1]!), 'utf8');
    return null;
  }
}
