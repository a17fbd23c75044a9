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

export function createLogger(service: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level: process.env.APE_LOG_LEVEL ?? 'info',
    base: { service, pid: process.pid, ...bindings },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[omesso]' },
    formatters: { level: (label) => ({ level: label }) },
  });
}
