import { ApeError } from '../../../shared/errors';
import type { Clock } from '../../../shared/clock';
import type { Riferimenti } from '../../../shared/audit/registri';
import { codeDi } from '../../strumenti/ops/code';
import { connettiRabbitmq } from '../../strumenti/ops/rabbitmq';
import { riprova } from '../../strumenti/ops/riprova';
import { esaminaScarti } from '../../strumenti/ops/scarti';
import { paginaScarti } from './pagine/scarti';
import { Risposta } from './risposta';
import { dopoAzione, messaggioDa } from './supervisione';
import type { ChiamataOperatore } from './tabella-rotte';
import type { Traccia } from './traccia';

/**
 * INPS's dead letters (what `npm run ops -- scarti` shows of the inps.* queues) and their replay (`ops -- riprova`),
 * for supervisors: a connection to RabbitMQ for the length of the request, every view and replay an access record.
 */
const MOSTRATI = 20;

export function gestoriScarti(d: { clock: Clock; traccia: Traccia; rabbitmqUrl: string | null }) {
  const code = codeDi('INPS');
  const connetti = () => {
    if (!d.rabbitmqUrl) throw new ApeError('SERVIZIO_NON_DISPONIBILE', 'RabbitMQ non configurato per la console');
    return connettiRabbitmq(d.rabbitmqUrl);
  };
  return {
    pagina: async (c: ChiamataOperatore): Promise<Risposta> => {
      const model = await connetti();
      try {
        const esame = await esaminaScarti(model, code, MOSTRATI);
        await d.traccia(c.r, c.s, 'console:scarti', 'ACCETTATA');
        return Risposta.pagina(paginaScarti(c.contesto(), esame, { messaggio: messaggioDa(c.r.url.searchParams), errore: null }));
      } finally {
        await model.close().catch(() => undefined);
      }
    },

    riprova: async (c: ChiamataOperatore): Promise<Risposta> => {
      const coda = c.modulo.get('coda') ?? '';
      const messaggio = c.modulo.get('messaggio') ?? '';
      if (!code.includes(coda)) return Risposta.pagina(paginaScartiErrore(c, 'Coda non valida.'), 400);
      const model = await connetti();
      try {
        const esito = await riprova(model, coda, messaggio ? { messaggio } : { tutti: true }, c.s.operatore.id, d.clock.now());
        await d.traccia(c.r, c.s, 'console:riprova-scarti', 'ACCETTATA', { riferimenti: { coda, riprovati: String(esito.riprovati.length) } as Riferimenti });
        return dopoAzione('/supervisione/scarti', 'riprovati', String(esito.riprovati.length));
      } catch (err) {
        await d.traccia(c.r, c.s, 'console:riprova-scarti', 'RIFIUTATA', { riferimenti: { coda } as Riferimenti, codiceErrore: err instanceof ApeError ? err.code : 'NON_ESEGUITA' });
        throw err;
      } finally {
        await model.close().catch(() => undefined);
      }
    },
  };
}

function paginaScartiErrore(c: ChiamataOperatore, errore: string) {
  return paginaScarti(c.contesto(), [], { messaggio: null, errore });
}
