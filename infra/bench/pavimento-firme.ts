import { createHash, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { envelope, operatoreHeader, replyToHeader } from '../../shared/messages/envelope';
import { canonicalize } from '../../shared/soap/wssecurity/c14n';
import { DS_NS, WSU_NS } from '../../shared/soap/wssecurity/constants';
import { childrenNamed, elementChildren, parseStrict } from '../../shared/soap/wssecurity/dom';
import { signEnvelope } from '../../shared/soap/wssecurity/sign';
import { el } from '../../shared/xml/write';

/**
 * The floor's signatures: what ModI ID_AUTH_SOAP_02 + INTEGRITY_SOAP_01 make a sender and a receiver compute, and
 * nothing more. The byte sizes come from a real envelope of the mean message size signed by the federation's own
 * signer: each signed part (Timestamp, wsa:To, wsa:MessageID, the com/wsa headers, Body) in exclusive canonical
 * form, and the canonical SignedInfo. Signing = a SHA-256 digest of each part, then one signature over a
 * SignedInfo-sized byte string holding the digests; verifying = the same digests, then one verification.
 */

export type Algoritmo = 'RSA-2048' | 'ECDSA-P256';
export const ALGORITMI: readonly Algoritmo[] = ['RSA-2048', 'ECDSA-P256'];

export interface Sagoma {
  /** bytes of each signed part, canonical */
  parti: number[];
  /** bytes of the canonical SignedInfo */
  signedInfo: number;
}

/** Signs a real envelope of (about) `dimensione` bytes and measures its canonical signed parts. */
export function sagomaFirmata(dimensione: number, keyFile: string, certFile: string): Sagoma {
  const keyPem = readFileSync(keyFile, 'utf8');
  const certPem = readFileSync(certFile, 'utf8');
  const firmata = (riempitivo: number) =>
    signEnvelope(envelope([operatoreHeader({ id: 'OP-BENCH', ufficio: 'Sede' }), replyToHeader('https://inps.example/esiti')], el('pac:VerificaPacchetto', 'x'.repeat(riempitivo))), {
      keyPem,
      certPem,
      to: 'https://hub.example/pacchetti',
      now: new Date(),
    });
  const vuota = Buffer.byteLength(firmata(0));
  const doc = parseStrict(firmata(Math.max(0, dimensione - vuota)));
  if ('error' in doc) throw new Error(`floor: the signed envelope does not parse: ${doc.error}`);
  const signedInfo = doc.doc.getElementsByTagNameNS(DS_NS, 'SignedInfo')[0]!;
  const perId = new Map<string, Element>();
  const visita = (n: Element) => {
    const id = n.getAttributeNS(WSU_NS, 'Id');
    if (id) perId.set(id, n);
    for (const c of elementChildren(n)) visita(c);
  };
  visita(doc.doc.documentElement!);
  const parti = childrenNamed(signedInfo, DS_NS, 'Reference').map((r) => {
    const parte = perId.get(r.getAttribute('URI')!.slice(1));
    if (!parte) throw new Error(`floor: reference ${r.getAttribute('URI')} not found`);
    return Buffer.byteLength(canonicalize(parte, []));
  });
  return { parti, signedInfo: Buffer.byteLength(canonicalize(signedInfo, [])) };
}

export interface Chiavi {
  privata: KeyObject;
  pubblica: KeyObject;
}

export function generaChiavi(a: Algoritmo): Chiavi {
  const k = a === 'RSA-2048' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privata: k.privateKey, pubblica: k.publicKey };
}

/** A message's signed parts: fresh random bytes of the real sizes, concatenated. */
export function partiCasuali(s: Sagoma): Buffer {
  return randomBytes(s.parti.reduce((a, b) => a + b, 0));
}

/** SignedInfo-sized bytes holding each part's SHA-256 digest (the parts are consecutive slices of `parti`). */
function signedInfoDi(s: Sagoma, parti: Buffer): Buffer {
  const out = Buffer.alloc(s.signedInfo, 0x20);
  let da = 0;
  s.parti.forEach((n, i) => {
    // the i-th digest at its own place (a SignedInfo is always longer than its digests: ~400 bytes per reference)
    createHash('sha256').update(parti.subarray(da, da + n)).digest().copy(out, Math.min(32 * i, Math.max(0, out.length - 32)));
    da += n;
  });
  return out;
}

export function firma(s: Sagoma, parti: Buffer, chiave: KeyObject): Buffer {
  return sign('sha256', signedInfoDi(s, parti), chiave);
}

export function verifica(s: Sagoma, parti: Buffer, firmaRicevuta: Buffer, chiave: KeyObject): boolean {
  return verify('sha256', signedInfoDi(s, parti), chiave, firmaRicevuta);
}

/** CPU ms of one signature and one verification (digests included), measured alone in this process. */
export function costoFirme(s: Sagoma, a: Algoritmo, n = 300): { firma: number; verifica: number } {
  const k = generaChiavi(a);
  const parti = partiCasuali(s);
  const f = firma(s, parti, k.privata);
  const misura = (fn: () => void) => {
    for (let i = 0; i < 20; i++) fn();
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) fn();
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000 / n;
  };
  return {
    firma: misura(() => firma(s, parti, k.privata)),
    verifica: misura(() => {
      if (!verifica(s, parti, f, k.pubblica)) throw new Error('floor: a signature does not verify');
    }),
  };
}
