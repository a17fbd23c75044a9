import pino, { Logger } from 'pino';

/**
 * Structured JSON logs. Every line names the service and party; handlers add correlation ids
 * (correlationId, idPacchetto, idIstruttoria, messageId) through child loggers.
 * Personal data never goes into logs: codici fiscali, names and dates of birth are redacted even if a
 * caller passes them by mistake.
 */
export type { Logger } from 'pino';

const REDACTED_PATHS = [
  'codiceFiscale',
  '*.codiceFiscale',
  'richiedente',
  '*.richiedente',
  'cognome',
  'nome',
  'dataNascita',
  '*.cognome',
  '*.nome',
  '*.dataNascita',
  'key',
  '*.key',
  'privateKey',
  '*.privateKey',
];

/**
 * Lines go to stdout asynchronously (lines written while a write is in flight leave together), off the request
 * path; pino flushes what is pending synchronously when the process exits, crash included. Only a kill -9 can
 * lose the last lines, and nothing an audit needs lives only in the logs (the chained registers hold it).
 */
export function createLogger(service: string, bindings: Record<string, unknown> = {}): Logger {
  return pino(
    {
      level: process.env.APE_LOG_LEVEL ?? 'info',
      base: { service, pid: process.pid, ...bindings },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[omesso]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    // A reader that stops reading (a stalled pipe) would make pending lines grow without bound: past 32 MiB
    // they are dropped instead, and the process keeps serving.
    pino.destination({ dest: 1, sync: false, maxLength: 32 * 1024 * 1024 }),
  );
}
