import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { ManualClock } from '../../shared/clock';
import { createCertificateAuthority, issueCertificate, validityFrom } from '../../shared/pki/certificates';
import { daysToExpiry, watchCertificates, certificateStatuses } from '../../shared/pki/certificate-expiry';

/** Certificates nearing expiry are reported days ahead, expired ones loudly. */
const NOW = new Date('2026-11-23T10:00:00Z');
const dir = mkdtempSync(path.join(os.tmpdir(), 'certs-'));
const ca = createCertificateAuthority({ commonName: 'CA prova' }, validityFrom(NOW, 3650));
function cert(nome: string, days: number): string {
  const c = issueCertificate(ca, { commonName: `${nome}.example` }, { notBefore: new Date(NOW.getTime() - 86_400_000), notAfter: new Date(NOW.getTime() + days * 86_400_000) });
  const file = path.join(dir, `${nome}.pem`);
  writeFileSync(file, c.certPem);
  return file;
}

function capture(): { log: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({ write(chunk, _e, cb) { lines.push(JSON.parse(String(chunk))); cb(); } });
  return { log: pino({ level: 'info', formatters: { level: (label) => ({ level: label }) } }, stream), lines };
}

test('days left are counted from now to the certificate\'s notAfter', () => {
  const file = cert('dieci', 10);
  expect(certificateStatuses([{ nome: 'dieci', file }], NOW)[0]).toMatchObject({ nome: 'dieci', giorni: 10, soggetto: expect.stringContaining('dieci.example') });
  expect(daysToExpiry(ca.certPem, NOW)).toBe(3650);
});

test('a certificate within the warning period is reported, one well within its validity is not, an expired one is an error', () => {
  const { log, lines } = capture();
  const hooks: Array<() => void> = [];
  const letture = watchCertificates(
    [
      { nome: 'vicino', file: cert('vicino', 12) },
      { nome: 'lontano', file: cert('lontano', 200) },
      { nome: 'scaduto', file: cert('scaduto', -3) },
    ],
    { clock: new ManualClock(NOW), log, giorniAvviso: 30, onShutdown: (fn) => hooks.push(fn) },
  );
  const warn = lines.filter((l) => l.level === 'warn');
  const error = lines.filter((l) => l.level === 'error');
  expect(warn.map((l) => l.certificato)).toEqual(['vicino']);
  expect(warn[0]!.msg).toBe('certificate expires in 12 days');
  expect(error.map((l) => l.certificato)).toEqual(['scaduto']);
  expect(letture().map((c) => [c.nome, c.giorni])).toEqual([['vicino', 12], ['lontano', 200], ['scaduto', -3]]);
  hooks.forEach((h) => h());
});
