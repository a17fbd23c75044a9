import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { Pseudonimizzatore } from '../../../shared/audit/pseudonimi';
import { Registri } from '../../../shared/audit/registri';
import { riattiva, sospendi } from '../../../shared/audit/sospensioni';
import { cercaAccessi, elencoAllerte, prendiInCarico, sospensioniAttive } from '../../../shared/audit/supervisione';
import { createPool } from '../../../shared/db/pool';
import { inizioGiornoRoma } from '../../../shared/domain/scadenze';
import { runCli, usageError } from '../../../shared/runtime/cli';
import { parteDi } from '../../../shared/domain/types';
import { schemaOf } from '../../../shared/runtime/schemas';

/**
 * npm run supervisore -- <comando> --supervisore ID [--ente INPS|HUB|MINLAVORO|ANPAL|INAIL|INL]
 * The Supervisore's tool on a party's logs. Every consultation is itself traced as an access.
 */
const USAGE = `uso (ogni comando richiede --supervisore ID; --ente sceglie i registri, INPS se omesso):
  npm run supervisore -- accessi (--operatore ID | --cf CODICE_FISCALE | --parte CODICE) [--dal AAAA-MM-GG] [--al AAAA-MM-GG] [--rifiutati]
  npm run supervisore -- allerte [--tutte]
  npm run supervisore -- presa-in-carico --allerta N
  npm run supervisore -- sospendi (--operatore ID | --parte CODICE) --motivo "..."
  npm run supervisore -- riattiva (--operatore ID | --parte CODICE)
  npm run supervisore -- sospensioni`;

runCli(async (args, { config, clock }) => {
  const supervisore = args.required('supervisore', USAGE);
  const ente = args.opt('ente') ?? 'INPS';
  const pool = createPool(config.postgres.url, schemaOf(config, ente), { max: 2, applicationName: 'supervisore-cli' });
  const registri = new Registri(pool, Pseudonimizzatore.daFile(config.security.pepperFile));
  const traccia = (operazione: string, riferimenti: Record<string, string>, codiceFiscale?: string) =>
    registri.registraAccesso(
      {
        requestId: randomUUID(), at: clock.now(), service: 'supervisore', operation: operazione, identity: null, certificateSubject: null,
        operatore: { id: supervisore, ufficio: `Supervisore ${ente}` }, remoteAddress: 'locale', outcome: 'ACCETTATA', faultCode: null, durationMs: 0,
        riferimenti, ...(codiceFiscale !== undefined && { codiceFiscale }),
      },
      'CLI',
    );
  const soggetto = (): { tipo: 'OPERATORE' | 'PARTE'; soggetto: string } => {
    const op = args.opt('operatore');
    const parte = args.opt('parte');
    if ((op === undefined) === (parte === undefined)) usageError('indicare --operatore oppure --parte', USAGE);
    return op !== undefined ? { tipo: 'OPERATORE', soggetto: op } : { tipo: 'PARTE', soggetto: parte!.toUpperCase() };
  };
  const giorno = (name: string) => {
    const v = args.opt(name);
    if (v === undefined) return undefined;
    if (!DateTime.fromISO(v).isValid) usageError(`--${name} non è una data AAAA-MM-GG`, USAGE);
    return inizioGiornoRoma(v);
  };
  try {
    switch (args.command) {
      case 'accessi': {
        const cf = args.opt('cf')?.toUpperCase();
        const dal = giorno('dal');
        const al = giorno('al');
        const { accessi, totale } = await cercaAccessi(pool, {
          ...(args.opt('operatore') !== undefined && { operatore: args.opt('operatore')! }),
          ...(cf !== undefined && { interessato: registri.pseudonimo(cf) }),
          ...(args.opt('parte') !== undefined && { identita: args.opt('parte')!.toUpperCase() }),
          ...(dal && { dal }),
          ...(al && { al: new Date(al.getTime() + 86_400_000) }),
          ...(args.flag('rifiutati') && { esito: 'RIFIUTATA' as const }),
          limite: 1000,
        });
        await traccia('accessi', { operatore: args.opt('operatore') ?? '', parte: args.opt('parte') ?? '' }, cf);
        console.log(`${totale} accessi${totale > accessi.length ? ` (i più recenti ${accessi.length})` : ''}`);
        if (accessi.length > 0) console.table(accessi.map((a) => ({ quando: a.registratoIl.toISOString(), canale: a.canale, parte: a.identita, operatore: a.operatoreId, operazione: a.operazione, esito: a.esito, errore: a.codiceErrore, ip: a.indirizzoIp, istruttoria: a.riferimenti.idIstruttoria ?? '' })));
        return;
      }
      case 'allerte': {
        const allerte = await elencoAllerte(pool, args.flag('tutte'));
        await traccia('allerte', {});
        console.log(`${allerte.length} allerte${args.flag('tutte') ? '' : ' aperte (--tutte per vedere anche quelle prese in carico)'}`);
        if (allerte.length > 0) console.table(allerte.map((a) => ({ id: a.id, regola: a.regola, soggetto: `${a.soggettoTipo} ${a.soggetto}`, quando: a.rilevataIl.toISOString(), stato: a.stato, gestita_da: a.gestitaDa ?? '', descrizione: a.descrizione })));
        return;
      }
      case 'presa-in-carico':
        await prendiInCarico(pool, Number(args.required('allerta', USAGE)), supervisore, clock.now());
        await traccia('presa-in-carico', { allerta: args.required('allerta', USAGE) });
        console.log('allerta presa in carico');
        return;
      case 'sospendi': {
        const s = soggetto();
        await sospendi(pool, { ...s, motivo: args.required('motivo', USAGE), autore: supervisore }, clock.now());
        await traccia('sospendi', { [s.tipo.toLowerCase()]: s.soggetto });
        console.log(`${s.tipo.toLowerCase()} ${s.soggetto} sospeso: le sue chiamate sono rifiutate`);
        return;
      }
      case 'riattiva': {
        const s = soggetto();
        await riattiva(pool, { ...s, autore: supervisore }, clock.now());
        await traccia('riattiva', { [s.tipo.toLowerCase()]: s.soggetto });
        console.log(`${s.tipo.toLowerCase()} ${s.soggetto} riattivato`);
        return;
      }
      case 'sospensioni': {
        const attive = await sospensioniAttive(pool);
        console.log(`${attive.length} sospensioni in vigore`);
        if (attive.length > 0) console.table(attive);
        return;
      }
      default:
        usageError(args.command ? `comando sconosciuto: ${args.command}` : 'manca il comando', USAGE);
    }
  } finally {
    await pool.end();
  }
}, { parte: (args) => parteDi(args.opt('ente') ?? 'INPS') });
