import { ApeError } from '../../errors';
import type { SoapOperation, SoapService } from '../service';

/**
 * Which operation a call is, and whether its caller may call it: the service by URL path and the caller among the
 * callers of any of its operations (before the body is read), the operation by the payload element (SOAPAction,
 * optional in SOAP 1.1, must agree when given), the caller among the operation's.
 */

export function findService(byPath: ReadonlyMap<string, SoapService>, pathname: string): SoapService {
  const service = byPath.get(pathname);
  if (!service) throw new ApeError('OPERAZIONE_SCONOSCIUTA', `nessun servizio SOAP su ${pathname}`);
  return service;
}

/** The operation whose request element is the payload ({namespace}local). */
export function findOperation(service: SoapService, payloadName: string): SoapOperation {
  const operation = service.operations.find((o) => o.payload === payloadName);
  if (!operation) {
    throw new ApeError('OPERAZIONE_SCONOSCIUTA', `${payloadName} non è un'operazione di ${service.path} (${service.operations.map((o) => o.name).join(', ')})`);
  }
  return operation;
}

/** The SOAPAction HTTP header, quoted or not, is either absent/empty or the operation's own. */
export function checkSoapAction(operation: SoapOperation, header: string | string[] | undefined): void {
  const soapAction = String(header ?? '').replace(/^"|"$/g, '');
  if (soapAction !== '' && soapAction !== operation.soapAction) {
    throw new ApeError('OPERAZIONE_SCONOSCIUTA', `SOAPAction "${soapAction}" non corrisponde all'operazione ${operation.name} (atteso "${operation.soapAction}")`);
  }
}

/** Stage: the identified caller must be one of the operation's callers. */
export function authoriseCaller(operation: SoapOperation, identity: string): void {
  if (!operation.callers.includes(identity)) {
    throw new ApeError('PARTE_NON_AUTORIZZATA', `${identity} non è autorizzato a ${operation.name}`);
  }
}

/**
 * Stage, before the body is read: the identified caller must be a caller of one of the service's operations. A
 * party with no business on this endpoint gets 403 at once, its body never read nor parsed (a parse costs CPU that
 * other parties' calls would wait for), and the connection is closed after the answer instead of draining the body.
 */
export function authoriseCallerForService(service: SoapService, identity: string, res: { setHeader(name: string, value: string): unknown }): void {
  if (service.operations.some((o) => o.callers.includes(identity))) return;
  res.setHeader('Connection', 'close');
  throw new ApeError('PARTE_NON_AUTORIZZATA', `${identity} non è autorizzato ad alcuna operazione di ${service.path} (${service.operations.map((o) => o.name).join(', ')})`);
}
