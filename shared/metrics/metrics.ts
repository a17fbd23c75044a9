import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ERROR_CODES } from '../errors';

/**
 * The process's Prometheus series, in one Registry per process (not prom-client's global one, so that nothing
 * a library registers leaks into the scrape). The SOAP client and server, the AMQP consumers and the scheduler
 * record into it wherever they run; runService serves it on the operations endpoint, with the label
 * `servizio` (the process name) on every series so that dashboards can group by process whatever the scrape
 * job is called. Series that describe the database or the broker (queue depths, packets by state, outbox
 * backlog) are read at scrape time by collectors the services register (see series.ts).
 *
 * Label values are bounded: error codes outside the catalogue become ALTRO, unknown callers "sconosciuto",
 * operations are the contract's names.
 */

/** Latency buckets for SOAP calls, in seconds: a local call takes milliseconds, a slow counterpart up to the timeout. */
const BUCKET_SOAP = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20];

export type ErrorOrigin = 'soap_fault_inviato' | 'soap_fault_ricevuto' | 'soap_chiamata' | 'worker' | 'timer';

export class Metrics {
  readonly registry = new Registry();

  readonly soapUscita = new Histogram({
    name: 'ape_soap_uscita_durata_secondi',
    help: 'Outgoing SOAP calls: duration by counterpart, operation and outcome (OK, or the error code: the counterpart\'s fault or ours)',
    labelNames: ['controparte', 'operazione', 'esito'] as const,
    buckets: BUCKET_SOAP,
    registers: [this.registry],
  });

  readonly soapIngresso = new Histogram({
    name: 'ape_soap_ingresso_durata_secondi',
    help: 'Incoming SOAP calls: duration by operation, caller identity and outcome (OK, or the fault code sent)',
    labelNames: ['operazione', 'chiamante', 'esito'] as const,
    buckets: BUCKET_SOAP,
    registers: [this.registry],
  });

  readonly errori = new Counter({
    name: 'ape_errori_totale',
    help: 'Errors by ApeError code and where they surfaced: fault sent, fault received, outgoing call failed, worker, timer',
    labelNames: ['codice', 'origine'] as const,
    registers: [this.registry],
  });

  readonly messaggi = new Counter({
    name: 'ape_messaggi_totale',
    help: 'Work messages handled by this process, by queue and outcome (elaborato, ritentato, scartato) and error code',
    labelNames: ['coda', 'esito', 'codice'] as const,
    registers: [this.registry],
  });

  readonly inElaborazione = new Gauge({
    name: 'ape_coda_in_elaborazione',
    help: 'Messages this process holds unacked (delivered, handler running), by queue',
    labelNames: ['coda'] as const,
    registers: [this.registry],
  });

  readonly timerEseguiti = new Counter({
    name: 'ape_timer_eseguiti_totale',
    help: 'Durable timers fired by this scheduler, by type and outcome (eseguito, fallito: retried later)',
    labelNames: ['tipo', 'esito'] as const,
    registers: [this.registry],
  });

  readonly timerRitardo = new Histogram({
    name: 'ape_timer_ritardo_secondi',
    help: 'How late a timer fired after it fell due (procedure clock), by type',
    labelNames: ['tipo'] as const,
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600],
    registers: [this.registry],
  });

  readonly raccolteFallite = new Counter({
    name: 'ape_raccolta_errori_totale',
    help: 'Scrape-time readings that failed or timed out (their series are left out of that scrape), by reading',
    labelNames: ['raccolta'] as const,
    registers: [this.registry],
  });

  readonly connessioniDb = new Counter({
    name: 'ape_db_connessioni_totale',
    help: 'PostgreSQL connections this process opened and closed, by schema and event (aperta, chiusa): at a steady load both stay flat once the pools are full; a rising rate means connections are being replaced, each a new backend',
    labelNames: ['schema', 'evento'] as const,
    registers: [this.registry],
  });

  readonly pdndRichiesteVoucher = new Counter({
    name: 'ape_pdnd_richieste_voucher_totale',
    help: 'PDND vouchers requested from the authorization server by this process\'s client, by outcome (ottenuto, or the error code)',
    labelNames: ['esito'] as const,
    registers: [this.registry],
  });

  readonly pdndCacheVoucher = new Counter({
    name: 'ape_pdnd_cache_voucher_totale',
    help: 'Outgoing calls that needed a PDND voucher: served from the cache (hit) or by a new token request (miss)',
    labelNames: ['esito'] as const,
    registers: [this.registry],
  });

  readonly pdndRifiuti = new Counter({
    name: 'ape_pdnd_rifiuti_totale',
    help: 'Incoming calls refused by the PDND checks, by reason (the fault code: VOUCHER_*, EVIDENZA_*, OPERATORE_NON_CORRISPONDENTE) and caller',
    labelNames: ['motivo', 'chiamante'] as const,
    registers: [this.registry],
  });

  private predefinite = false;

  /** Names the process on every series and adds prom-client's process metrics (CPU, memory, event-loop lag, GC). */
  perProcesso(servizio: string): void {
    this.registry.setDefaultLabels({ servizio });
    if (!this.predefinite) {
      collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
      this.predefinite = true;
    }
  }

  errore(codice: string, origine: ErrorOrigin): void {
    this.errori.inc({ codice: knownCode(codice), origine });
  }
}

/** A code from our catalogue, or ALTRO (a counterpart may send anything: label values must stay bounded). */
export function knownCode(codice: string | null | undefined): string {
  return codice && Object.prototype.hasOwnProperty.call(ERROR_CODES, codice) ? codice : 'ALTRO';
}

let corrente: Metrics | null = null;

/** The process's metrics (created on first use). */
export function metrics(): Metrics {
  corrente ??= new Metrics();
  return corrente;
}
