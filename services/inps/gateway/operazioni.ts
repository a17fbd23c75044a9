import type { Pool } from 'pg';
import { ApeError } from '../../../shared/errors';
import type { Clock } from '../../../shared/clock';
import { controllaDomanda } from '../../../shared/domain/validazione-domanda';
import { OPERATIONS } from '../../../shared/messages/contracts';
import { readNotificaAccertamento, readNotificaEsito, writeNotificaAccertamentoRisposta, writeNotificaEsitoRisposta } from '../../../shared/messages/esiti';
import { applicaNotificaAccertamento } from '../core/accertamenti';
import type { RegoleInps } from '../core/regole';
import {
  readPresentaDomanda,
  readStatoIstruttoria,
  writePresentaDomandaRisposta,
  writeStatoIstruttoriaRisposta,
} from '../../../shared/messages/istruttoria';
import { registraDomanda } from '../core/domande';
import { applicaEsito } from '../core/esiti';
import { caricaVista } from '../core/vista';
import type { SoapOperation } from '../../../shared/soap/server';

/** The INPS gateway's SOAP operations, built from their dependencies. */
export interface GatewayDeps {
  pool: Pool;
  clock: Clock;
  /** Identities of INPS case-processing systems (may submit domande and read status). */
  caseSystems: readonly string[];
  /** Identities of verifying parties (may notify esiti). */
  verifiers: readonly string[];
  /** Identities of INL (may notify inspections). */
  inspectors: readonly string[];
  regole: RegoleInps;
}

export function presentaDomanda(deps: GatewayDeps): SoapOperation {
  return {
    name: 'PresentaDomanda',
    ...OPERATIONS.PresentaDomanda,
    callers: deps.caseSystems,
    replayNellaTransazione: true,
    async handle(payload, ctx) {
      const domanda = readPresentaDomanda(payload);
      controllaDomanda(domanda);
      const ricevuta = await registraDomanda(deps.pool, domanda, ctx.operatore, ctx.receivedAt, deps.regole, ctx.primaIstruzione);
      ctx.traccia({ riferimenti: { idIstruttoria: ricevuta.idIstruttoria, protocollo: domanda.protocollo }, codiceFiscale: domanda.richiedente.codiceFiscale });
      ctx.log.info({ idIstruttoria: ricevuta.idIstruttoria, protocollo: ricevuta.protocolloDomanda }, 'domanda registered');
      return { body: writePresentaDomandaRisposta(ricevuta) };
    },
  };
}

export function statoIstruttoria(deps: GatewayDeps): SoapOperation {
  return {
    name: 'StatoIstruttoria',
    ...OPERATIONS.StatoIstruttoria,
    callers: deps.caseSystems,
    async handle(payload, ctx) {
      const vista = await caricaVista(deps.pool, readStatoIstruttoria(payload), deps.regole);
      ctx.traccia({ riferimenti: { idIstruttoria: vista.idIstruttoria, protocollo: vista.protocolloDomanda }, ...(vista.codiceFiscaleRichiedente !== undefined && { codiceFiscale: vista.codiceFiscaleRichiedente }) });
      return { body: writeStatoIstruttoriaRisposta(vista) };
    },
  };
}

export function notificaEsito(deps: GatewayDeps): SoapOperation {
  return {
    name: 'NotificaEsito',
    ...OPERATIONS.NotificaEsito,
    callers: deps.verifiers,
    replayNellaTransazione: true,
    async handle(payload, ctx) {
      const correlationId = ctx.headers.required('X-Correlation-ID');
      const notifica = readNotificaEsito(payload);
      ctx.traccia({ riferimenti: { idPacchetto: notifica.idPacchetto } });
      const result = await applicaEsito(deps.pool, notifica, {
        correlationId,
        enteChiamante: ctx.caller.identity.ente,
        operatore: ctx.operatore,
        now: ctx.receivedAt,
        regole: deps.regole,
        primaIstruzione: ctx.primaIstruzione,
      });
      ctx.log.info({ idPacchetto: notifica.idPacchetto, correlationId, applicato: result.applicato, inRitardo: result.inRitardo, statoIstruttoria: result.statoIstruttoria }, 'esito received');
      return { body: writeNotificaEsitoRisposta() };
    },
  };
}

export function notificaAccertamento(deps: GatewayDeps): SoapOperation {
  return {
    name: 'NotificaAccertamento',
    ...OPERATIONS.NotificaAccertamento,
    callers: deps.inspectors,
    replayNellaTransazione: true,
    async handle(payload, ctx) {
      const correlationId = ctx.headers.required('X-Correlation-ID');
      const n = readNotificaAccertamento(payload);
      ctx.traccia({ riferimenti: { idSegnalazione: n.idSegnalazione } });
      const r = await applicaNotificaAccertamento(deps.pool, n, { correlationId, operatore: ctx.operatore, now: ctx.receivedAt, regole: deps.regole, primaIstruzione: ctx.primaIstruzione });
      ctx.log.info({ idSegnalazione: n.idSegnalazione, stato: n.stato, applicata: r.applicata, riesame: r.riesame, statoIstruttoria: r.statoIstruttoria }, 'inspection notice received');
      return { body: writeNotificaAccertamentoRisposta() };
    },
  };
}

export function requireIdentities(codes: readonly string[], what: string): readonly string[] {
  if (codes.length === 0) throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `no identity configured for ${what}`);
  return codes;
}
