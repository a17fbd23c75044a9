import { randomBytes } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Pool } from 'pg';
import { Pseudonimizzatore } from '../../shared/audit/pseudonimi';
import { Registri } from '../../shared/audit/registri';
import { CacheSospensioni } from '../../shared/audit/sospensioni';
import { ManualClock } from '../../shared/clock';
import { createLogger } from '../../shared/log';
import { createCertificateAuthority, issueCertificate, validityFrom } from '../../shared/pki/certificates';
import { avviaAggiornamenti, type Aggiornamenti } from '../../services/inps/console/aggiornamenti';
import { creaInstradamento, serviRichieste } from '../../services/inps/console/instradamento';
import type { RegoleLimiti } from '../../services/inps/console/limiti-login';
import { rotteConsole } from '../../services/inps/console/rotte';
import { archivioSessioni } from '../../services/inps/console/sessione';
import { risorseStatiche } from '../../services/inps/console/statici';
import { creaTraccia } from '../../services/inps/console/traccia';
import { assicuraAccountDemo, sessioneAperta } from '../../services/inps/console/utenti';
import { TestDatabase } from './database';

/**
 * The web console in this test process, on a database of its own and a clock moved by hand: the same route table,
 * request stages and pages as the inps-console process, over HTTPS on a free port of 127.0.0.1 (a certificate
 * of a throwaway CA). The browser tests of test/console/ drive it with Chromium; data is seeded with the INPS
 * core's own functions (test/support/inps-lifecycle.ts), so pages show what the services would have written.
 */
export interface BancoConsole {
  base: string;
  pool: Pool;
  clock: ManualClock;
  pseudonimi: Pseudonimizzatore;
  chiudi(): Promise<void>;
}

export async function avviaBancoConsole(nome: string, inizio: Date, rabbitmqUrl: string | null = null, regoleLogin?: RegoleLimiti): Promise<BancoConsole> {
  const db = await TestDatabase.create(nome, 'inps', ['messaging', 'inps', 'audit']);
  const pool = db.pool('inps', 8);
  const clock = new ManualClock(inizio);
  const log = createLogger('console-test', {});
  const pseudonimi = new Pseudonimizzatore(randomBytes(32));
  const registri = new Registri(pool, pseudonimi);
  const sospensioni = new CacheSospensioni(pool, 'inps', log, 1000);
  await sospensioni.start();
  const sessioni = archivioSessioni(pool, { inattivitaMinuti: 30, massimaOre: 10 });
  const traccia = creaTraccia({ registri, clock, log });
  const aggiornamenti: Aggiornamenti = await avviaAggiornamenti({ pool, schema: 'inps', log, sessioneAperta: (idHash) => sessioneAperta(pool, idHash) });
  await assicuraAccountDemo(pool, clock.now());
  const tabella = rotteConsole({ pool, clock, registri, sospensioni, sessioni, traccia, aggiornamenti, log, ambitoFunzionari: 'SEDE', rabbitmqUrl, ...(regoleLogin && { regoleLogin }) });
  const instrada = creaInstradamento({ tabella, statici: risorseStatiche(), sessioni, sospensioni, traccia, clock });

  const ca = createCertificateAuthority({ commonName: 'CA di prova della console' }, validityFrom(new Date(), 2));
  const cert = issueCertificate(ca, { commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }, validityFrom(new Date(), 2));
  let base = '';
  const server = https.createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => serviRichieste(instrada, { publicUrl: base, log })(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    pool,
    clock,
    pseudonimi,
    async chiudi() {
      aggiornamenti.chiudi();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sospensioni.stop();
      await db.drop();
    },
  };
}
