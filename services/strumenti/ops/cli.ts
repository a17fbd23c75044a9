import type { ChannelModel } from 'amqplib';
import { runCli, usageError, type Args } from '../../../shared/runtime/cli';
import { parteDi } from '../../../shared/domain/types';
import { codaDiLavoro, codeDi, enteDellaCoda } from './code';
import { parteDellaCoda } from '../../../shared/amqp/topology';
import { connettiRabbitmq } from './rabbitmq';
import { reinvia } from './reinvia';
import { riprova } from './riprova';
import { esaminaScarti, stampaScarti } from './scarti';
import { storia } from './storia';
import { Schemi, tracciata } from './traccia';

/**
 * npm run ops -- <comando> --operatore ID: the operations tool on the federation's messaging. Dead letters (list,
 * replay), packets (resend, delivery history). Every consultation and action is traced as an access, channel CLI,
 * in the trace of the service whose queue or data it concerns.
 */
const USAGE = `uso (ogni comando richiede --operatore ID, chi agisce):
  npm run ops -- scarti [--coda CODA] [--ente INPS|HUB|MINLAVORO|ANPAL|INAIL|INL] [--limite N]
      messaggi scartati: quanti per ogni coda di lavoro (o per quelle dell'ente), e i primi N (10) di ciascuna
  npm run ops -- riprova --coda CODA (--messaggio ID | --tutti)
      rimette in lavoro gli scarti della coda (gli altri restano dove sono)
  npm run ops -- reinvia --pacchetto ID
      INPS invia di nuovo un pacchetto senza esito di un'istruttoria aperta
  npm run ops -- storia --pacchetto ID [--ente INPS|HUB|MINLAVORO|ANPAL|INAIL|INL]
      la storia della consegna di un pacchetto (senza --ente: INPS, l'hub e il destinatario)`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function pacchetto(args: Args): string {
  const id = args.required('pacchetto', USAGE);
  if (!UUID.test(id)) usageError(`--pacchetto ${id} non è un identificativo di pacchetto (UUID)`, USAGE);
  return id.toLowerCase();
}

function coda(args: Args): string {
  const nome = args.required('coda', USAGE);
  const q = codaDiLavoro(nome);
  if (!q) usageError(`--coda ${nome}: non è una coda di lavoro (${codeDi().join(', ')})`, USAGE);
  return q;
}

function ente(args: Args): string | undefined {
  const e = args.opt('ente')?.toUpperCase();
  if (e !== undefined && !['INPS', 'HUB', 'MINLAVORO', 'ANPAL', 'INAIL', 'INL'].includes(e)) usageError(`--ente ${e}: INPS, HUB, MINLAVORO, ANPAL, INAIL o INL`, USAGE);
  return e;
}

runCli(async (args, { config, clock }) => {
  const operatore = args.required('operatore', USAGE);
  const schemi = new Schemi(config, clock, operatore);
  let rabbit: ChannelModel | null = null;
  try {
    switch (args.command) {
      case 'scarti': {
        const scelta = args.opt('coda') !== undefined ? coda(args) : undefined;
        const e = ente(args);
        const limite = Number(args.opt('limite') ?? 10);
        if (!Number.isInteger(limite) || limite < 0) usageError('--limite è un numero intero, 0 o più', USAGE);
        // A party's file reaches its own vhost only: without --ente, that party's queues.
        const code = scelta ? [scelta] : codeDi(e).filter((q) => !config.parte || parteDellaCoda(q) === config.parte);
        rabbit = await connettiRabbitmq(config.rabbitmq.url);
        const esame = await esaminaScarti(rabbit, code, limite);
        await schemi.di(e ?? (scelta ? enteDellaCoda(scelta) : 'INPS')).traccia('scarti', { coda: scelta ?? (e ? `tutte di ${e}` : 'tutte') });
        stampaScarti(esame, limite);
        return;
      }
      case 'riprova': {
        const q = coda(args);
        const messaggio = args.opt('messaggio');
        const tutti = args.flag('tutti');
        if ((messaggio === undefined) === !tutti) usageError('indicare --messaggio ID oppure --tutti', USAGE);
        const rabbitmq = (rabbit = await connettiRabbitmq(config.rabbitmq.url));
        const esito = await tracciata(
          schemi.di(ente(args) ?? enteDellaCoda(q)),
          'riprova',
          { coda: q, ...(messaggio !== undefined && { messaggio }) },
          () => riprova(rabbitmq, q, messaggio !== undefined ? { messaggio } : { tutti: true }, operatore, clock.now()),
          (r) => ({ riprovati: r.riprovati.map((x) => x.messaggio).join(' ') }),
        );
        console.log(`${esito.riprovati.length} ${esito.riprovati.length === 1 ? 'messaggio rimesso' : 'messaggi rimessi'} in lavoro su ${q}; ${esito.restanti} ${esito.restanti === 1 ? 'resta' : 'restano'} tra gli scarti`);
        if (esito.riprovati.length > 0) console.table(esito.riprovati.map((r) => ({ messaggio: r.messaggio, errore: r.errore, tentativo: r.tentativo, contenuto: r.contenuto })));
        return;
      }
      case 'reinvia': {
        const id = pacchetto(args);
        const r = await tracciata(schemi.di('INPS'), 'reinvia', { idPacchetto: id }, () => reinvia(schemi.di('INPS'), id, operatore, clock.now()), (x) => ({ idIstruttoria: x.idIstruttoria }));
        console.log(`pacchetto ${r.idPacchetto} per ${r.destinatario} (era ${r.stato}): reinvio in coda (messaggio ${r.messageId}); lo invia inps-dispatcher`);
        if (config.routing === 'hub' && r.correlationId !== null) {
          console.log(
            `l'hub l'aveva già preso in carico (correlation id ${r.correlationId}): risponde con lo stesso e non lo inoltra di nuovo; ` +
              `se l'inoltro al destinatario non è riuscito: npm run ops -- scarti --coda hub.pacchetto.inoltro`,
          );
        }
        return;
      }
      case 'storia':
        await storia(schemi, config, pacchetto(args), ente(args));
        return;
      default:
        usageError(args.command ? `comando sconosciuto: ${args.command}` : 'manca il comando', USAGE);
    }
  } finally {
    await schemi.chiudi();
    // Swallowed: the command is over; closing the connection only gives back messages RabbitMQ gives back anyway.
    await rabbit?.close().catch(() => undefined);
  }
}, { parte: (args) => parteDi(args.opt('ente') ?? enteDellaCoda(args.opt('coda') ?? 'inps.')) });
