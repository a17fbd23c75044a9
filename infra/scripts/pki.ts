import { readFileSync } from 'node:fs';
import path from 'node:path';
import { identityOf } from '../../shared/config/load';
import { MOTIVI_REVOCA, type MotivoRevoca } from '../../shared/pki/crl';
import { crlReport, reissueCrls, revokeCertificate } from '../../shared/pki/crl-issuer';
import { renewIdentityCertificate } from '../../shared/pki/federation-pki';
import { PARTI_DIR, PROJECT_ROOT } from '../../shared/paths';
import type { FederationConfig } from '../../shared/config/schema';
import { aggiornaPkiParti } from '../local/parti';
import { runCli, usageError } from '../../shared/runtime/cli';

/**
 * npm run pki -- <comando>: revocation in the development PKI. The services re-read a changed CRL within
 * pki.crlCheckSeconds, without a restart, and from then on refuse the revoked certificate (TLS and signatures).
 */
const USAGE = `uso:
  npm run pki -- revoca (--identity CODICE | --certificato FILE) --motivo MOTIVO [--rinnova]
      revoca il certificato (quello in uso dall'identità, o il file indicato) ed emette la nuova CRL della sua CA;
      MOTIVO: ${MOTIVI_REVOCA.join(', ')}
      --rinnova: emette subito all'identità una nuova chiave e un nuovo certificato (i suoi servizi vanno riavviati)
  npm run pki -- crl
      emette di nuovo le CRL delle CA di questa PKI (stesse revoche, validità da adesso)
  npm run pki -- stato
      le CRL configurate (pki.crl): numero, emissione, prossimo aggiornamento, certificati revocati`;

const rel = (f: string) => path.relative(PROJECT_ROOT, f) || f;

/** The parties npm start runs from var/parti/ hold copies of the CRL and of their own certificates: brought up to date. */
function distribuisci(config: FederationConfig): void {
  for (const f of aggiornaPkiParti(config, PARTI_DIR)) console.log(`copiato in ${rel(f)}`);
}

runCli(async (args, { config }) => {
  switch (args.command) {
    case 'revoca': {
      const code = args.opt('identity');
      const file = args.opt('certificato');
      if ((code === undefined) === (file === undefined)) usageError('indicare --identity oppure --certificato', USAGE);
      const motivo = args.required('motivo', USAGE);
      if (!(MOTIVI_REVOCA as readonly string[]).includes(motivo)) usageError(`--motivo ${motivo}: uno di ${MOTIVI_REVOCA.join(', ')}`, USAGE);
      if (args.flag('rinnova') && code === undefined) usageError('--rinnova vale con --identity', USAGE);
      const certFile = code !== undefined ? identityOf(config, code).certFile : path.resolve(file!);
      const r = revokeCertificate(config, readFileSync(certFile, 'utf8'), motivo as MotivoRevoca);
      console.log(
        r.added
          ? `revocato ${r.subject} (numero di serie ${r.serial}, motivo ${motivo}): CRL ${rel(r.crlFile)} numero ${r.number}, ${r.revoked} revocati`
          : `${r.subject} (numero di serie ${r.serial}) era già revocato nella CRL ${rel(r.crlFile)} numero ${r.number}: nulla di cambiato`,
      );
      console.log(`i servizi lo rifiutano entro ${config.pki.crlCheckSeconds} s (pki.crlCheckSeconds), senza riavvio`);
      if (args.flag('rinnova')) {
        renewIdentityCertificate(config, code!);
        console.log(`nuovo certificato per ${code}: ${rel(identityOf(config, code!).certFile)} (riavviare i servizi che lo usano)`);
      }
      distribuisci(config);
      return;
    }
    case 'crl': {
      for (const c of reissueCrls(config)) console.log(`CRL ${rel(c.crlFile)} emessa: numero ${c.number}, ${c.revoked} revocati`);
      distribuisci(config);
      return;
    }
    case 'stato': {
      for (const r of crlReport(config)) {
        if (!r.crl) {
          console.log(`${rel(r.crlFile)} (CA ${rel(r.caFile)}): ${r.error ?? 'assente'}`);
          continue;
        }
        const scaduta = r.crl.nextUpdate.getTime() < Date.now() ? ' SCADUTA' : '';
        console.log(`${rel(r.crlFile)} (CA ${rel(r.caFile)}): numero ${r.crl.number}, emessa ${r.crl.thisUpdate.toISOString()}, prossimo aggiornamento ${r.crl.nextUpdate.toISOString()}${scaduta}`);
        for (const v of r.crl.revoked) console.log(`  ${v.serial}  revocato ${v.revokedAt.toISOString()}  ${v.reason}`);
      }
      return;
    }
    default:
      usageError(args.command ? `comando sconosciuto: ${args.command}` : 'manca il comando', USAGE);
  }
});
