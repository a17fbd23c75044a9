import { X509Certificate } from 'node:crypto';
import type { IdentityConfig } from '../../shared/config/schema';
import type { ContenutoPacchetto, Rapporto } from '../../shared/domain/types';
import { envelope, operatoreHeader } from '../../shared/messages/envelope';
import { writeVerificaPacchetto } from '../../shared/messages/pacchetto';
import { createCertificateAuthority, issueCertificate, validityFrom } from '../../shared/pki/certificates';
import { firmaOrigine, verificaOrigine } from '../../shared/verifica-pacchetto/origine';
import { parseEnvelope } from '../../shared/xml/envelope';
import { XmlReader } from '../../shared/xml/read';

/**
 * node dist/infra/bench/firma-origine.js [--n 2000] [--rapporti 3]
 * What INPS's origin signature costs per packet: signing at INPS's dispatcher (one RSA-2048 signature) and the check
 * at the recipient (a parse of the envelope with the verifier's parser, one digest, one RSA verification; the
 * certificate's issuance is verified once and remembered). Prints the mean and percentiles in ms and the bytes added.
 */

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function misura(n: number, fn: () => void): string {
  for (let i = 0; i < Math.min(100, n); i++) fn();
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  t.sort((a, b) => a - b);
  const mean = t.reduce((a, b) => a + b, 0) / n;
  return `mean ${mean.toFixed(3)} ms, p50 ${percentile(t, 50).toFixed(3)}, p99 ${percentile(t, 99).toFixed(3)}`;
}

function main(): void {
  const n = arg('n', 2000);
  const now = new Date();
  const ca = createCertificateAuthority({ commonName: 'CA di misura' }, validityFrom(now, 30));
  const inps = issueCertificate(ca, { commonName: 'pdd.inps.ape-precoci.local', dnsNames: ['pdd.inps.ape-precoci.local'] }, validityFrom(now, 30));
  const rapporto = (i: number): Rapporto => ({ riferimento: i, datore: { codiceFiscale: '01234567897' }, periodo: { dal: '2010-01-01', al: '2015-12-31' }, categoria: 'E', ccnl: 'C011', livello: '3', professioneIstat: '7.4.2.3' });
  const p: ContenutoPacchetto = {
    idPacchetto: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    idIstruttoria: '7c9e6679-7425-40de-944b-e07fc1f90ae8',
    protocolloDomanda: 'INPS.APE.2026.0001',
    tipoDomanda: 'APE_SOCIALE',
    destinatario: 'ANPAL',
    dataInvio: now,
    lavoratore: { codiceFiscale: 'RSSMRA60A01H501Q' },
    rapporti: Array.from({ length: arg('rapporti', 3) }, (_v, i) => rapporto(i + 1)),
  };
  const firmatario = { keyPem: inps.keyPem, certPem: inps.certPem };
  const regola = { identity: { code: 'INPS', subjectCN: 'pdd.inps.ape-precoci.local' } as IdentityConfig, ca: new X509Certificate(ca.certPem) };
  const operatore = operatoreHeader({ id: 'OP-1', ufficio: 'Ufficio' });
  const semplice = envelope([operatore], writeVerificaPacchetto(p));
  const firmata = envelope([operatore], firmaOrigine(writeVerificaPacchetto(p), firmatario));
  const letto = new XmlReader(parseEnvelope(firmata).payload);

  console.log(`packet with ${p.rapporti.length} relations, ${n} runs`);
  console.log(`  writing the payload (baseline)       ${misura(n, () => writeVerificaPacchetto(p))}`);
  console.log(`  INPS signs it (dispatcher)           ${misura(n, () => firmaOrigine(writeVerificaPacchetto(p), firmatario))}`);
  console.log(`  the recipient verifies it            ${misura(n, () => verificaOrigine(firmata, letto, regola, now))}`);
  console.log(`  envelope size: ${Buffer.byteLength(semplice)} -> ${Buffer.byteLength(firmata)} bytes (+${Buffer.byteLength(firmata) - Buffer.byteLength(semplice)})`);
}

main();
