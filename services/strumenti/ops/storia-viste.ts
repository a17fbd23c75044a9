import type { Pool } from 'pg';
import { descriviEvento } from '../../inps/core/eventi';
import { senzaDatiPersonali } from './dati-personali';

/**
 * What each service knows of one packet, as a header (its row) and a timeline: INPS (the packet, its events, the
 * esiti received, its reminders), the Ministero's hub (the packet as forwarded, reminders it forwarded), the
 * recipient party (the packet as received and verified, reminders received); for every one, the message-log
 * entries that concern it and the outbox messages about it. Identifiers and states only, never personal data.
 */
export interface Voce {
  il: Date;
  fonte: string;
  cosa: string;
  dettaglio: string;
  /** Order among entries of the same instant: a call is logged before the state change it caused. */
  rango: number;
}

export interface Vista {
  ente: string;
  intestazione: Array<[string, string]>;
  cronologia: Voce[];
}

const RANGO = { messaggio: 0, pacchetto: 1, esito: 2, evento: 3, sollecito: 4, outbox: 5 } as const;

const ts = (d: Date | null | undefined): string => (d ? d.toISOString() : '—');
const libero = (t: string | null | undefined): string => (t ? senzaDatiPersonali(t) : '—');

/** The message log (registro_messaggi) entries about the packet: by reference, or by its correlation id. */
async function messaggi(pool: Pool, idPacchetto: string, correlationId: string | null): Promise<Voce[]> {
  const r = await pool.query<{ registrato_il: Date; direzione: string; operazione: string; controparte: string; message_id: string | null; correlation_id: string | null; esito: string }>(
    `SELECT registrato_il, direzione, operazione, controparte, message_id, correlation_id, esito FROM registro_messaggi
      WHERE riferimenti->>'idPacchetto' = $1 OR ($2::text IS NOT NULL AND correlation_id = $2) ORDER BY seq`,
    [idPacchetto, correlationId],
  );
  return r.rows.map((m) => ({
    il: m.registrato_il,
    fonte: 'messaggio',
    cosa: `${m.direzione} ${m.operazione}`,
    dettaglio: `${m.direzione === 'INVIATO' ? 'a' : 'da'} ${m.controparte}: ${libero(m.esito)}${m.message_id ? `; MessageID ${m.message_id}` : ''}${m.correlation_id ? `; correlation id ${m.correlation_id}` : ''}`,
    rango: RANGO.messaggio,
  }));
}

/** Outbox messages about the packet: when the change that caused them committed, and whether they left. */
async function outbox(pool: Pool, idPacchetto: string): Promise<Voce[]> {
  const r = await pool.query<{ message_id: string; routing_key: string; payload: Record<string, unknown>; creato_il: Date; pubblicato_il: Date | null }>(
    `SELECT message_id, routing_key, payload, creato_il, pubblicato_il FROM outbox WHERE payload->>'idPacchetto' = $1 ORDER BY id`,
    [idPacchetto],
  );
  return r.rows.map((o) => ({
    il: o.creato_il,
    fonte: 'outbox',
    cosa: o.routing_key,
    dettaglio: `messaggio ${o.message_id}${o.payload.reinvio === true ? ' (reinvio)' : ''}: ${o.pubblicato_il ? `pubblicato il ${ts(o.pubblicato_il)}` : 'non ancora pubblicato'}`,
    rango: RANGO.outbox,
  }));
}

function descrizioneEvento(tipo: string, d: Record<string, unknown>): string {
  if (tipo === 'PACCHETTO_REINVIATO') return `reinvio chiesto dall'operatore ${String(d.operatore ?? '')} (pacchetto ${String(d.stato ?? '')})`;
  return senzaDatiPersonali(descriviEvento(tipo, d));
}

export async function vistaInps(pool: Pool, idPacchetto: string): Promise<(Vista & { destinatario: string; correlationId: string | null }) | null> {
  const r = await pool.query<{
    istruttoria_id: string; stato_istruttoria: string; destinatario: string; stato: string; esito: string | null; correlation_id: string | null;
    creato_il: Date; inviato_il: Date | null; risposto_il: Date | null; scadenza_esito: Date | null; scaduto_il: Date | null; sollecitato_il: Date | null;
    in_ritardo: boolean; tentativi_invio: number; ultimo_errore: string | null;
  }>(
    `SELECT p.istruttoria_id, i.stato AS stato_istruttoria, p.destinatario, p.stato, p.esito, p.correlation_id, p.creato_il, p.inviato_il, p.risposto_il,
            p.scadenza_esito, p.scaduto_il, p.sollecitato_il, p.in_ritardo, p.tentativi_invio, p.ultimo_errore
       FROM pacchetto p JOIN istruttoria i ON i.id = p.istruttoria_id WHERE p.id = $1`,
    [idPacchetto],
  );
  const p = r.rows[0];
  if (!p) return null;
  const [eventi, esiti, timer, solleciti, registro, uscite] = await Promise.all([
    pool.query<{ tipo: string; avvenuto_il: Date; dettagli: Record<string, unknown> }>('SELECT tipo, avvenuto_il, dettagli FROM evento WHERE pacchetto_id = $1 ORDER BY id', [idPacchetto]),
    pool.query<{ ricevuto_il: Date; ente: string; correlation_id: string; applicato: boolean; in_ritardo: boolean }>(
      'SELECT ricevuto_il, ente, correlation_id, applicato, in_ritardo FROM esito_ricevuto WHERE pacchetto_id = $1 ORDER BY id',
      [idPacchetto],
    ),
    pool.query<{ tipo: string; scade_il: Date; stato: string }>('SELECT tipo, scade_il, stato FROM timer WHERE chiave = $1 ORDER BY id', [idPacchetto]),
    pool.query<{ id: string; stato: string; creato_il: Date; inviato_il: Date | null; tentativi: number; ultimo_errore: string | null }>(
      `SELECT id, stato, creato_il, inviato_il, tentativi, ultimo_errore FROM messaggio_uscita WHERE tipo = 'SOLLECITO' AND corpo->'sollecito'->>'idPacchetto' = $1 ORDER BY creato_il`,
      [idPacchetto],
    ),
    messaggi(pool, idPacchetto, p.correlation_id),
    outbox(pool, idPacchetto),
  ]);
  const cronologia: Voce[] = [
    ...eventi.rows.map((e) => ({ il: e.avvenuto_il, fonte: 'evento', cosa: e.tipo, dettaglio: descrizioneEvento(e.tipo, e.dettagli), rango: RANGO.evento })),
    ...esiti.rows.map((e) => ({
      il: e.ricevuto_il,
      fonte: 'esito',
      cosa: `da ${e.ente}`,
      dettaglio: `${e.applicato ? 'applicato' : 'registrato, non applicato (già applicato o istruttoria chiusa)'}${e.in_ritardo ? ', in ritardo' : ''}; correlation id ${e.correlation_id}`,
      rango: RANGO.esito,
    })),
    ...solleciti.rows.map((s) => ({
      il: s.creato_il,
      fonte: 'sollecito',
      cosa: s.id,
      dettaglio: `${s.stato}${s.inviato_il ? ` il ${ts(s.inviato_il)}` : ''}; ${s.tentativi} tentativi${s.ultimo_errore ? `; ultimo errore: ${libero(s.ultimo_errore)}` : ''}`,
      rango: RANGO.sollecito,
    })),
    ...registro,
    ...uscite,
  ];
  return {
    ente: 'INPS',
    destinatario: p.destinatario,
    correlationId: p.correlation_id,
    intestazione: [
      ['pacchetto', `${idPacchetto} per ${p.destinatario}`],
      ['istruttoria', `${p.istruttoria_id} (${p.stato_istruttoria})`],
      ['stato', `${p.stato}${p.esito ? `, esito ${p.esito}` : ''}${p.in_ritardo ? ' (in ritardo)' : ''}`],
      ['correlation id', p.correlation_id ?? '—'],
      ['creato il', ts(p.creato_il)],
      ['inviato il', ts(p.inviato_il)],
      ['risposto il', ts(p.risposto_il)],
      ['scadenza esito', ts(p.scadenza_esito)],
      ...(p.scaduto_il ? [['scaduto il', ts(p.scaduto_il)] as [string, string]] : []),
      ...(p.sollecitato_il ? [['sollecitato il', ts(p.sollecitato_il)] as [string, string]] : []),
      ['tentativi invio', String(p.tentativi_invio)],
      ['ultimo errore', libero(p.ultimo_errore)],
      ...timer.rows.map((t): [string, string] => [`timer ${t.tipo}`, `${ts(t.scade_il)} (${t.stato})`]),
    ],
    cronologia,
  };
}

export async function vistaHub(pool: Pool, idPacchetto: string): Promise<Vista | null> {
  const r = await pool.query<{ destinatario: string; stato: string; correlation_id: string; ricevuto_il: Date; inoltrato_il: Date | null; tentativi: number; ultimo_errore: string | null }>(
    'SELECT destinatario, stato, correlation_id, ricevuto_il, inoltrato_il, tentativi, ultimo_errore FROM pacchetto_inoltro WHERE id_pacchetto = $1',
    [idPacchetto],
  );
  const p = r.rows[0];
  const corr = p?.correlation_id ?? null;
  const [inoltri, registro, uscite] = await Promise.all([
    // Reminders the hub forwarded for this packet carry its correlation id.
    pool.query<{ id_messaggio: string; operazione: string; stato: string; ricevuto_il: Date; inoltrato_il: Date | null; tentativi: number; ultimo_errore: string | null }>(
      'SELECT id_messaggio, operazione, stato, ricevuto_il, inoltrato_il, tentativi, ultimo_errore FROM messaggio_inoltro WHERE $1::text IS NOT NULL AND correlation_id = $1 ORDER BY ricevuto_il',
      [corr],
    ),
    messaggi(pool, idPacchetto, corr),
    outbox(pool, idPacchetto),
  ]);
  if (!p && registro.length === 0) return null;
  const cronologia: Voce[] = [
    ...(p
      ? [
          { il: p.ricevuto_il, fonte: 'pacchetto', cosa: 'RICEVUTO', dettaglio: `da INPS, per ${p.destinatario}; correlation id ${p.correlation_id}`, rango: RANGO.pacchetto },
          ...(p.inoltrato_il ? [{ il: p.inoltrato_il, fonte: 'pacchetto', cosa: 'INOLTRATO', dettaglio: `a ${p.destinatario}`, rango: RANGO.pacchetto }] : []),
        ]
      : []),
    ...inoltri.rows.map((m) => ({
      il: m.ricevuto_il,
      fonte: 'inoltro',
      cosa: m.operazione,
      dettaglio: `messaggio ${m.id_messaggio}: ${m.stato}${m.inoltrato_il ? ` il ${ts(m.inoltrato_il)}` : ''}; ${m.tentativi} tentativi${m.ultimo_errore ? `; ultimo errore: ${libero(m.ultimo_errore)}` : ''}`,
      rango: RANGO.sollecito,
    })),
    ...registro,
    ...uscite,
  ];
  return {
    ente: 'HUB',
    intestazione: p
      ? [
          ['pacchetto', `${idPacchetto} per ${p.destinatario}`],
          ['stato', p.stato],
          ['correlation id', p.correlation_id],
          ['ricevuto il', ts(p.ricevuto_il)],
          ['inoltrato il', ts(p.inoltrato_il)],
          ['tentativi inoltro', String(p.tentativi)],
          ['ultimo errore', libero(p.ultimo_errore)],
        ]
      : [['pacchetto', `${idPacchetto}: non accettato dall'hub (solo messaggi registrati)`]],
    cronologia,
  };
}

export async function vistaParte(pool: Pool, ente: string, idPacchetto: string): Promise<Vista | null> {
  const r = await pool.query<{
    mittente: string; stato: string; correlation_id: string; ricevuto_il: Date; verificato_il: Date | null; esito_consegnato_il: Date | null;
    tentativi_consegna: number; ultimo_errore: string | null; esiti: Array<{ esito?: string }> | null;
  }>(
    `SELECT mittente, stato, correlation_id, ricevuto_il, verificato_il, esito_consegnato_il, tentativi_consegna, ultimo_errore, esiti
       FROM pacchetto_ricevuto WHERE id_pacchetto = $1`,
    [idPacchetto],
  );
  const p = r.rows[0];
  const corr = p?.correlation_id ?? null;
  const [solleciti, registro, uscite] = await Promise.all([
    pool.query<{ id_sollecito: string; ricevuto_il: Date; azione: string }>('SELECT id_sollecito, ricevuto_il, azione FROM sollecito_ricevuto WHERE id_pacchetto = $1 ORDER BY ricevuto_il', [idPacchetto]),
    messaggi(pool, idPacchetto, corr),
    outbox(pool, idPacchetto),
  ]);
  if (!p && registro.length === 0) return null;
  // The esiti's outcomes per datum, counted: which data they are about stays with the party.
  const conteggio = new Map<string, number>();
  for (const e of Array.isArray(p?.esiti) ? p.esiti : []) if (e.esito) conteggio.set(e.esito, (conteggio.get(e.esito) ?? 0) + 1);
  const cronologia: Voce[] = [
    ...(p
      ? [
          { il: p.ricevuto_il, fonte: 'pacchetto', cosa: 'RICEVUTO', dettaglio: `da ${p.mittente}; correlation id ${p.correlation_id}`, rango: RANGO.pacchetto },
          ...(p.verificato_il ? [{ il: p.verificato_il, fonte: 'pacchetto', cosa: 'VERIFICATO', dettaglio: [...conteggio].map(([k, n]) => `${n} ${k}`).join(', ') || 'sull\'archivio', rango: RANGO.pacchetto }] : []),
          ...(p.esito_consegnato_il ? [{ il: p.esito_consegnato_il, fonte: 'pacchetto', cosa: 'ESITO_CONSEGNATO', dettaglio: 'a INPS (X-ReplyTo)', rango: RANGO.pacchetto }] : []),
        ]
      : []),
    ...solleciti.rows.map((s) => ({ il: s.ricevuto_il, fonte: 'sollecito', cosa: s.id_sollecito, dettaglio: libero(s.azione), rango: RANGO.sollecito })),
    ...registro,
    ...uscite,
  ];
  return {
    ente,
    intestazione: p
      ? [
          ['pacchetto', idPacchetto],
          ['stato', p.stato],
          ['correlation id', p.correlation_id],
          ['ricevuto il', ts(p.ricevuto_il)],
          ['verificato il', ts(p.verificato_il)],
          ['esito consegnato il', ts(p.esito_consegnato_il)],
          ['tentativi consegna', String(p.tentativi_consegna)],
          ['ultimo errore', libero(p.ultimo_errore)],
        ]
      : [['pacchetto', `${idPacchetto}: non accettato da ${ente} (solo messaggi registrati)`]],
    cronologia,
  };
}
