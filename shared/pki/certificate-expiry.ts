import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from '../log';
import type { Clock } from '../clock';

/**
 * Certificates nearing expiry are reported days ahead (log, and the metric the service exposes), so that a
 * party's gateway never stops at the TLS handshake because a certificate expired unnoticed.
 */
export function daysToExpiry(pem: string | Buffer, now: Date): number {
  const cert = new X509Certificate(pem);
  return Math.floor((new Date(cert.validTo).getTime() - now.getTime()) / 86_400_000);
}

export interface CertificateStatus {
  nome: string;
  soggetto: string;
  scadeIl: Date;
  giorni: number;
}

export function certificateStatuses(files: ReadonlyArray<{ nome: string; file: string }>, now: Date): CertificateStatus[] {
  return files.map(({ nome, file }) => {
    const cert = new X509Certificate(readFileSync(file));
    const scadeIl = new Date(cert.validTo);
    return { nome, soggetto: cert.subject.replace(/\n/g, ', '), scadeIl, giorni: Math.floor((scadeIl.getTime() - now.getTime()) / 86_400_000) };
  });
}

/** Checks at start and then daily; returns the latest readings (for /metrics). */
export function watchCertificates(
  files: ReadonlyArray<{ nome: string; file: string }>,
  o: { clock: Clock; log: Logger; giorniAvviso: number; onShutdown(fn: () => void): void },
): () => CertificateStatus[] {
  let ultimi: CertificateStatus[] = [];
  const controlla = () => {
    ultimi = certificateStatuses(files, o.clock.now());
    for (const c of ultimi) {
      if (c.giorni < 0) o.log.error({ certificato: c.nome, soggetto: c.soggetto, scadeIl: c.scadeIl }, 'certificate expired');
      else if (c.giorni <= o.giorniAvviso) o.log.warn({ certificato: c.nome, soggetto: c.soggetto, scadeIl: c.scadeIl, giorni: c.giorni }, `certificate expires in ${c.giorni} days`);
    }
  };
  controlla();
  const t = setInterval(controlla, 86_400_000);
  t.unref();
  o.onShutdown(() => clearInterval(t));
  return () => ultimi;
}
