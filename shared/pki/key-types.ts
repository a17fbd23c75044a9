/** The keys the development PKI can give an identity (pki.keyType): what each signs with is in shared/soap/wssecurity/metodo-firma.ts. */
export const KEY_TYPES = ['RSA-2048', 'ECDSA-P256'] as const;
export type KeyType = (typeof KEY_TYPES)[number];
