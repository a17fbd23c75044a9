import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { identityOf } from '../../shared/config/load';
import { addressOf } from '../../shared/config/addresses';
import { SistemaIstruttorio } from '../../infra/clients/sistema-istruttorio';
import { IP } from '../../infra/siti/rete';
import { Siti } from '../../infra/siti/siti';
import { attendiConclusione, presenta, violazioni } from './verifica-siti';

/**
 * test:siti: the federation on five hosts, Linux network namespaces joined by a bridge, each party's processes,
 * PostgreSQL and RabbitMQ on its own host; SOAP crosses the hosts over mutual TLS. Needs root and iproute2: without
 * them it fails saying so (it is CI's job to run it as root, not to skip it).
 */
const tempi: Array<[string, number]> = [];
let siti: Siti;
let dir: string;
let caseSystem: SistemaIstruttorio;

function perche(): string | null {
  if (process.getuid?.() !== 0) return 'test:siti needs root (network namespaces, veth links, PostgreSQL run as user postgres): run it as root';
  if (!existsSync(IP)) return `test:siti needs iproute2 (${IP}): apt-get install iproute2`;
  try {
    execFileSync(IP, ['netns', 'list']);
  } catch (err) {
    return `test:siti cannot list network namespaces: ${(err as Error).message}`;
  }
  return null;
}

async function passo<T>(nome: string, f: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  const r = await f();
  tempi.push([nome, Date.now() - t0]);
  return r;
}

beforeAll(async () => {
  const motivo = perche();
  if (motivo) throw new Error(motivo);
  dir = mkdtempSync(path.join(os.tmpdir(), 'ape-siti-'));
  siti = await Siti.avvia({ dir, tempo: (p, ms) => tempi.push([p, ms]) });
  const c = siti.config.INPS;
  const id = identityOf(c, 'INPS_ISTRUTTORIA');
  caseSystem = await SistemaIstruttorio.connect(addressOf(c, 'INPS', 'istruttoria').url, { keyFile: id.keyFile, certFile: id.certFile, caFile: c.pki.caCertFile }, { id: 'INPS-OP-SITI-0001', ufficio: 'INPS - sede di prova' });
});

afterAll(async () => {
  await siti?.ferma();
  if (dir) rmSync(dir, { recursive: true, force: true });
  console.log(`test:siti timings\n${tempi.map(([p, ms]) => `  ${p}: ${(ms / 1000).toFixed(1)} s`).join('\n')}`);
});

test('domande flow end to end across the five hosts, every outcome as expected', async () => {
  const chiavi = ['conforme', 'non-conforme', 'non-verificabile', 'tasso-inail', 'turni-inl', 'domestico-e-asilo', 'tre-datori-ispezione', 'conforme', 'tasso-inail', 'turni-inl'];
  const presentate = await passo('a. 10 domande end to end', async () => {
    const p = await presenta(caseSystem, 'SITI.A', chiavi);
    await attendiConclusione(siti, p);
    return p;
  });
  expect(await violazioni(siti, presentate)).toEqual([]);
});
