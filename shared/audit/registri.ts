import type { Pool } from 'pg';
import type { Operatore } from '../domain/types';
import { RegistroCatenato, ScrittoreCatene, type Accompagnamento } from './catena';
import type { Pseudonimizzatore } from './pseudonimi';
import type { EvidenzaTracciamento } from '../pdnd/tracking-evidence';

/**
 * A service's three chained logs with typed records: every access (accepted or refused) to its endpoints, every
 * message it sends or receives (digest and identifiers, never the content), and what the retention job removed.
 */
export interface Riferimenti {
  idIstruttoria?: string;
  idPacchetto?: string;
  protocollo?: string;
  idSegnalazione?: string;
  idMessaggio?: string;
  /** The operator's PDND tracking evidence of the call: its claims and its SHA-256 (AccessEvent.evidenza). */
  evidenzaTracciamento?: EvidenzaTracciamento;
  /** Only on the one record of a source address's refused calls without an identity in one minute. */
  rifiutiAggregati?: RifiutiAggregati;
}

/**
 * The calls of one source address that identified no registered party, refused within one minute: one access record
 * holds them all (rifiuti-senza-identita.ts), so a flood cannot grow the chain. The lists keep at most a few values
 * each (what a flood sends there is its own choice).
 */
export interface RifiutiAggregati {
  /** How many calls were refused. */
  rifiuti: number;
  /** How many of them with each fault code. */
  codici: Record<string, number>;
  /** The first and the last refusal, ISO 8601. */
  dal: string;
  al: string;
  /** The paths called, the certificates presented (subject and fingerprint), the registered identities they claimed. */
  servizi: string[];
  certificati: string[];
  identitaDichiarate: string[];
}

/** One record per call, accepted or refused: the access trace. */
export interface AccessEvent {
  requestId: string;
  at: Date;
  service: string;
  operation: string | null;
  identity: string | null;
  certificateSubject: string | null;
  operatore: Operatore | null;
  remoteAddress: string;
  outcome: 'ACCETTATA' | 'RIFIUTATA';
  faultCode: string | null;
  durationMs: number;
  riferimenti?: Riferimenti;
  /** The citizen the call concerned; never logged, only hashed into the access trace. */
  codiceFiscale?: string;
  /** The operator's PDND tracking evidence (claims and hash), on calls of identities PDND is on for: kept in riferimenti. */
  evidenza?: EvidenzaTracciamento;
}

export interface MessaggioRegistrato {
  direzione: 'RICEVUTO' | 'INVIATO';
  operazione: string;
  controparte: string;
  messageId?: string | null;
  correlationId?: string | null;
  improntaCorpo: string;
  dimensione: number;
  esito: string;
  riferimenti?: Riferimenti;
}

export class Registri {
  readonly accessi: RegistroCatenato;
  readonly messaggi: RegistroCatenato;
  readonly conservazione: RegistroCatenato;

  constructor(
    pool: Pool,
    private readonly pseudonimi: Pseudonimizzatore,
  ) {
    const scrittore = new ScrittoreCatene(pool);
    this.accessi = new RegistroCatenato(scrittore, 'registro_accessi');
    this.messaggi = new RegistroCatenato(scrittore, 'registro_messaggi');
    // A writer of its own: the retention job appends while its transaction holds the rows it changes, and a batch of
    // the shared writer may be waiting for one of those rows (a delivery's state, catena.ts Accompagnamento).
    this.conservazione = new RegistroCatenato(new ScrittoreCatene(pool), 'registro_conservazione');
  }

  pseudonimo(cf: string): string {
    return this.pseudonimi.codiceFiscale(cf);
  }

  registraAccesso(e: AccessEvent, canale: 'SOAP' | 'CONSOLE' | 'CLI' = 'SOAP'): Promise<void> {
    return this.accessi.append({
      registrato_il: e.at,
      richiesta_id: e.requestId,
      canale,
      servizio: e.service,
      operazione: e.operation,
      identita: e.identity,
      certificato: e.certificateSubject,
      operatore_id: e.operatore?.id ?? null,
      operatore_ufficio: e.operatore?.ufficio ?? null,
      indirizzo_ip: e.remoteAddress,
      esito: e.outcome,
      codice_errore: e.faultCode,
      durata_ms: e.durationMs,
      riferimenti: e.evidenza ? { ...e.riferimenti, evidenzaTracciamento: e.evidenza } : (e.riferimenti ?? {}),
      interessato: e.codiceFiscale ? this.pseudonimi.codiceFiscale(e.codiceFiscale) : null,
    });
  }

  /** The message's log entry, with the state change it goes with (`insieme`, one commit for both: catena.ts). */
  registraMessaggio(m: MessaggioRegistrato, at: Date, insieme?: Accompagnamento): Promise<void> {
    return this.messaggi.append(
      {
        registrato_il: at,
        direzione: m.direzione,
        operazione: m.operazione,
        controparte: m.controparte,
        message_id: m.messageId ?? null,
        correlation_id: m.correlationId ?? null,
        impronta_corpo: m.improntaCorpo,
        dimensione: m.dimensione,
        esito: m.esito,
        riferimenti: m.riferimenti ?? {},
      },
      insieme,
    );
  }

  registraConservazione(r: { oggetto: string; chiave: string; azione: string; improntaRimossa: string }, at: Date): Promise<void> {
    return this.conservazione.append({ registrato_il: at, oggetto: r.oggetto, chiave: r.chiave, azione: r.azione, impronta_rimossa: r.improntaRimossa });
  }
}
