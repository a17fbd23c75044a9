import { ApeError } from '../errors';
import type { IdentityConfig, ValidatedConfig } from './schema';

/**
 * What the schema cannot say about the pdnd section: an identity with PDND on has a client, no two identities share
 * one, every purpose names a known e-service and consumer, a consumer with PDND on has a purpose on some e-service.
 */
export function checkPdnd(pdnd: ValidatedConfig['pdnd'], identities: Readonly<Record<string, IdentityConfig>>): void {
  const attive = Object.values(identities).filter((i) => i.pdnd?.attivo);
  if (!pdnd) {
    if (attive.length > 0) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `identities.${attive[0]!.code}.pdnd.attivo: PDND is on, but the pdnd section (authorization server, e-services, purposes) is missing`);
    return;
  }
  const clients = new Map<string, string>();
  for (const i of Object.values(identities)) {
    if (i.pdnd?.attivo && !i.pdnd?.clientId) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `identities.${i.code}.pdnd.clientId: required when PDND is on (attivo)`);
    if (!i.pdnd?.clientId) continue;
    const clash = clients.get(i.pdnd?.clientId);
    if (clash) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `identities.${i.code}.pdnd.clientId: "${i.pdnd?.clientId}" is already ${clash}'s`);
    clients.set(i.pdnd?.clientId, i.code);
  }
  const purposes = new Set<string>();
  pdnd.finalita.forEach((f, n) => {
    const where = `pdnd.finalita[${n}]`;
    if (!Object.hasOwn(pdnd.eservices, f.eservice)) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `${where}.eservice: unknown e-service "${f.eservice}" (known: ${Object.keys(pdnd.eservices).join(', ')})`);
    const fruitore = identities[f.fruitore];
    if (!fruitore) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `${where}.fruitore: unknown identity "${f.fruitore}"`);
    if (!fruitore.pdnd?.clientId) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `${where}.fruitore: ${f.fruitore} has no PDND client (identities.${f.fruitore}.pdnd.clientId)`);
    if (purposes.has(f.purposeId)) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `${where}.purposeId: "${f.purposeId}" is listed twice`);
    purposes.add(f.purposeId);
  });
  for (const i of attive) {
    if (!pdnd.finalita.some((f) => f.fruitore === i.code)) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `identities.${i.code}.pdnd.attivo: PDND is on, but no purpose (pdnd.finalita) names ${i.code} as fruitore`);
  }
}
