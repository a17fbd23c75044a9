/**
 * The lifecycle states of the verification (protocol art. 5), shared by INPS's core, its console and the wire
 * codecs that report them. Transitions live with their owner: the istruttoria's decision in
 * services/inps/core/ciclo.ts, the packet's moves in services/inps/core/pacchetto-transizioni.ts.
 */

/** An istruttoria's verification: waiting for the archives, waiting on INL (case c), closed. */
export type StatoIstruttoria = 'IN_VERIFICA' | 'VALUTAZIONE_INL' | 'CHIUSA';

/** A verification packet as INPS sees it. */
export type StatoPacchetto = 'DA_INVIARE' | 'INVIATO' | 'RISPOSTO' | 'SCADUTO' | 'RIFIUTATO';

/** Why an istruttoria was closed. */
export type RegolaChiusura = 'ESITI_ARCHIVI' | 'ESITO_ACCERTAMENTO' | 'AUTOCERTIFICAZIONI_NESSUN_ACCERTAMENTO' | 'AUTOCERTIFICAZIONI_TERMINE';

/** INL's inspection on a case INPS sent it. */
export type StatoAccertamento = 'AVVIATO' | 'NON_AVVIATO' | 'CONCLUSO';
export type EsitoAccertamento = 'REQUISITI_CONFERMATI' | 'REQUISITI_NON_CONFERMATI';
