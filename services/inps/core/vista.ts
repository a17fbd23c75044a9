import type { Pool } from 'pg';
import { withSnapshot, type Tx } from '../../../shared/db/pool';
import { ApeError } from '../../../shared/errors';
import { DATI_VERIFICATI, type EnteVerificatore, type Esito, type EsitoDato, type TipoDomanda, type DatoVerificato } from '../../../shared/domain/types';
import type { ChiaveIstruttoria, StatoScadenza, VistaAccertamento, VistaIstruttoria } from '../../../shared/messages/istruttoria';
import { descriviEvento } from './eventi';
import { giorniEsito, type RegoleInps } from './regole';
import type { RegolaChiusura, StatoIstruttoria, StatoPacchetto } from '../../../shared/domain/stati';

/**
 * Reads the state of one istruttoria with every packet and its esiti (StatoIstruttoria), from one snapshot: the
 * istruttoria, its packets, esiti, deadlines, INL's case and the timeline as they were at one instant, never an
 * inspection concluded without the riesame committed with it.
 */
export function caricaVista(pool: Pool, chiave: ChiaveIstruttoria, regole?: Pick<RegoleInps, 'deadlines'>): Promise<VistaIstruttoria> {
  return withSnapshot(pool, (tx) => leggiVista(tx, chiave, regole));
}

async function leggiVista(tx: Tx, chiave: ChiaveIstruttoria, regole?: Pick<RegoleInps, 'deadlines'>): Promise<VistaIstruttoria> {
  const byId = 'idIstruttoria' in chiave;
  const { rows } = await tx.query<{
    id: string; protocollo: string; tipo: TipoDomanda; stato: StatoIstruttoria; data_presentazione: Date; ricevuta_il: Date;
    esito_verifica: Esito | null; chiusa_il: Date | null; regola_chiusura: RegolaChiusura | null;
    limite: Date | null; limite_motivo: string | null; riesame_il: Date | null; riesame_motivo: string | null; codice_fiscale: string;
    finestra_anno: number | null; finestra_numero: number | null; finestra_apertura: string | null; finestra_chiusura: string | null; finestra_graduatoria: string | null;
  }>(
    `SELECT i.id, d.protocollo, d.codice_fiscale, d.tipo, i.stato, d.data_presentazione, d.ricevuta_il, i.esito_verifica, i.chiusa_il, i.regola_chiusura,
            i.limite, i.limite_motivo, i.riesame_il, i.riesame_motivo, i.finestra_anno, i.finestra_numero,
            to_char(i.finestra_apertura, 'YYYY-MM-DD') AS finestra_apertura, to_char(i.finestra_chiusura, 'YYYY-MM-DD') AS finestra_chiusura,
            to_char(i.finestra_graduatoria, 'YYYY-MM-DD') AS finestra_graduatoria
       FROM istruttoria i JOIN domanda d ON d.id = i.domanda_id
      WHERE ${byId ? 'i.id = $1' : 'd.protocollo = $1'}`,
    [byId ? chiave.idIstruttoria : chiave.protocolloDomanda],
  );
  const i = rows[0];
  if (!i) {
    throw new ApeError('ISTRUTTORIA_NON_TROVATA', byId ? `nessuna istruttoria ${chiave.idIstruttoria}` : `nessuna domanda con protocollo ${chiave.protocolloDomanda}`);
  }
  const packets = await tx.query<{
    id: string; destinatario: EnteVerificatore; stato: StatoPacchetto; correlation_id: string | null; creato_il: Date;
    inviato_il: Date | null; risposto_il: Date | null; esito: Esito | null;
    scadenza_esito: Date | null; in_ritardo: boolean; sollecitato_il: Date | null;
    esiti: Array<{ riferimento: number; dato: DatoVerificato; esito: Esito; nota: string | null }> | null;
    tardivo: { ricevuto_il: string; esito: Esito; esiti_dato: EsitoDato[] } | null;
  }>(
    `SELECT p.id, p.destinatario, p.stato, p.correlation_id, p.creato_il, p.inviato_il, p.risposto_il, p.esito,
            p.scadenza_esito, p.in_ritardo, p.sollecitato_il,
            (SELECT json_agg(json_build_object('riferimento', e.riferimento, 'dato', e.dato, 'esito', e.esito, 'nota', e.nota)
                     ORDER BY e.riferimento, array_position($2::text[], e.dato))
               FROM esito_dato e WHERE e.pacchetto_id = p.id) AS esiti,
            -- An answer that arrived after closure: recorded, not applied (a packet answered in time is RISPOSTO).
            (SELECT json_build_object('ricevuto_il', r.ricevuto_il, 'esito', r.esito, 'esiti_dato', r.esiti_dato)
               FROM esito_ricevuto r WHERE r.pacchetto_id = p.id AND NOT r.applicato AND r.esito IS NOT NULL AND p.stato <> 'RISPOSTO'
              ORDER BY r.id LIMIT 1) AS tardivo
       FROM pacchetto p WHERE p.istruttoria_id = $1
      ORDER BY array_position(ARRAY['MINLAVORO','ANPAL','INAIL','INL'], p.destinatario)`,
    [i.id, DATI_VERIFICATI],
  );
  const vista: VistaIstruttoria = {
    idIstruttoria: i.id,
    codiceFiscaleRichiedente: i.codice_fiscale,
    protocolloDomanda: i.protocollo,
    tipoDomanda: i.tipo,
    stato: i.stato,
    dataPresentazione: i.data_presentazione,
    dataRicezione: i.ricevuta_il,
    pacchetti: packets.rows.map((p) => ({
      idPacchetto: p.id,
      destinatario: p.destinatario,
      stato: p.stato,
      creatoIl: p.creato_il,
      esitiDato: (p.esiti ?? []).map((e) => {
        const out: EsitoDato = { riferimento: e.riferimento, dato: e.dato, esito: e.esito };
        if (e.nota !== null) out.nota = e.nota;
        return out;
      }),
      ...(p.correlation_id !== null && { correlationId: p.correlation_id }),
      ...(p.inviato_il !== null && { inviatoIl: p.inviato_il }),
      ...(p.risposto_il !== null && { rispostoIl: p.risposto_il }),
      ...(p.esito !== null && { esito: p.esito }),
      ...(p.scadenza_esito !== null && { scadenzaEsito: p.scadenza_esito }),
      ...(p.in_ritardo && { inRitardo: true }),
      ...(p.sollecitato_il !== null && { sollecitatoIl: p.sollecitato_il }),
      ...(p.tardivo !== null && { esitoNonApplicato: { ricevutoIl: new Date(p.tardivo.ricevuto_il), esito: p.tardivo.esito, esitiDato: p.tardivo.esiti_dato } }),
    })),
    scadenze: [],
    controlliInps: [],
    indiciInl: [],
    eventi: [],
  };
  const chiusa = i.stato === 'CHIUSA';
  // Art. 5 gives MINLAVORO, ANPAL and INAIL 5 calendar days; INL's term for its own packets is configured.
  const termine = (ente: EnteVerificatore) =>
    ente === 'INL' ? `${regole ? `${giorniEsito(regole, 'INL')} giorni solari` : 'il termine configurato'} (termine configurato per INL: l'art. 5 non ne fissa uno)` : `${regole ? giorniEsito(regole, ente) : 5} giorni solari`;
  // Packets never received: their delivery deadline (the SCADENZA_INVIO timer).
  const consegna = await tx.query<{ chiave: string; scade_il: Date }>(
    `SELECT chiave, scade_il FROM timer WHERE tipo = 'SCADENZA_INVIO' AND chiave = ANY($1::text[])`,
    [packets.rows.filter((p) => p.inviato_il === null).map((p) => p.id)],
  );
  const scadenzaConsegna = new Map(consegna.rows.map((t) => [t.chiave, t.scade_il]));
  for (const p of packets.rows) {
    const scadeIl = scadenzaConsegna.get(p.id);
    if (scadeIl === undefined) continue;
    const stato: StatoScadenza = p.stato === 'SCADUTO' ? 'SUPERATA' : p.stato === 'RISPOSTO' ? 'RISPETTATA' : chiusa ? 'NON_PIU_RILEVANTE' : 'IN_CORSO';
    vista.scadenze.push({ tipo: 'CONSEGNA_PACCHETTO', idPacchetto: p.id, scadeIl, stato, descrizione: `consegna a ${p.destinatario} entro ${termine(p.destinatario)} dalla creazione del pacchetto` });
  }
  for (const p of packets.rows) {
    if (p.scadenza_esito === null) continue;
    const stato: StatoScadenza = p.stato === 'RISPOSTO' ? (p.in_ritardo ? 'SUPERATA' : 'RISPETTATA') : p.stato === 'SCADUTO' ? 'SUPERATA' : chiusa ? 'NON_PIU_RILEVANTE' : 'IN_CORSO';
    vista.scadenze.push({ tipo: 'ESITO_PACCHETTO', idPacchetto: p.id, scadeIl: p.scadenza_esito, stato, descrizione: `esito di ${p.destinatario} entro ${termine(p.destinatario)} dalla ricezione` });
  }
  if (i.limite !== null) {
    const limite = i.limite;
    const stato: StatoScadenza = !chiusa ? 'IN_CORSO' : i.regola_chiusura === 'AUTOCERTIFICAZIONI_TERMINE' ? 'SUPERATA' : 'RISPETTATA';
    // The limit bounds the wait for INL only: a party whose days end after it is still waited for (art. 5 a, b).
    const dopoIlLimite = packets.rows.filter((p) => p.scadenza_esito !== null && p.scadenza_esito.getTime() > limite.getTime() && (p.stato === 'INVIATO' || p.stato === 'DA_INVIARE'));
    const nota = dopoIlLimite.length === 0 || chiusa ? '' : `; il limite precede la scadenza dell'esito di ${dopoIlLimite.map((p) => p.destinatario).join(', ')}: la risposta è attesa fino alla sua scadenza e applicata; se un dato resta non verificabile l'istruttoria si chiude subito sulle autocertificazioni`;
    vista.scadenze.push({ tipo: 'LIMITE_ISTRUTTORIA', scadeIl: limite, stato, descrizione: `attesa massima dell'esito di accertamenti INL: ${i.limite_motivo ?? ''}${nota}` });
    vista.limite = limite;
  }
  if (i.finestra_anno !== null && i.finestra_numero !== null && i.finestra_apertura && i.finestra_chiusura && i.finestra_graduatoria) {
    vista.finestra = { anno: i.finestra_anno, numero: i.finestra_numero, apertura: i.finestra_apertura, chiusura: i.finestra_chiusura, graduatoria: i.finestra_graduatoria };
  }
  // One after the other: the snapshot's one connection runs a statement at a time (pg queues the rest, and pg 9 will
  // refuse a query sent while another runs).
  const controlli = await tx.query<{ requisito: string; esito: string; dettaglio: string }>('SELECT requisito, esito, dettaglio FROM controllo_inps WHERE istruttoria_id = $1 ORDER BY requisito', [i.id]);
  const indici = await tx.query<{ codice: string; descrizione: string; datore_cf: string; rilevato_il: Date }>('SELECT codice, descrizione, datore_cf, rilevato_il FROM indice_inl WHERE istruttoria_id = $1 ORDER BY id', [i.id]);
  const segnalazione = await tx.query<{ id: string; creata_il: Date; stato_accertamento: VistaAccertamento['stato'] | null; id_accertamento: string | null; esito_accertamento: VistaAccertamento['esito'] | null; aggiornata_il: Date | null }>(
    'SELECT id, creata_il, stato_accertamento, id_accertamento, esito_accertamento, aggiornata_il FROM segnalazione_inl WHERE istruttoria_id = $1',
    [i.id],
  );
  const eventi = await tx.query<{ tipo: string; avvenuto_il: Date; pacchetto_id: string | null; dettagli: Record<string, unknown> }>(
    'SELECT tipo, avvenuto_il, pacchetto_id, dettagli FROM evento WHERE istruttoria_id = $1 ORDER BY id',
    [i.id],
  );
  vista.controlliInps = controlli.rows;
  vista.indiciInl = indici.rows.map((x) => ({ codice: x.codice, descrizione: x.descrizione, rilevatoIl: x.rilevato_il, ...(x.datore_cf !== '' && { datore: x.datore_cf }) }));
  const seg = segnalazione.rows[0];
  if (seg) {
    vista.accertamento = {
      idSegnalazione: seg.id,
      segnalatoIl: seg.creata_il,
      ...(seg.stato_accertamento !== null && { stato: seg.stato_accertamento }),
      ...(seg.id_accertamento !== null && { idAccertamento: seg.id_accertamento }),
      ...(seg.esito_accertamento !== null && { esito: seg.esito_accertamento }),
      ...(seg.aggiornata_il !== null && { aggiornatoIl: seg.aggiornata_il }),
    };
  }
  if (i.riesame_il !== null) vista.riesame = { richiestoIl: i.riesame_il, motivo: i.riesame_motivo ?? '' };
  vista.eventi = eventi.rows.map((e) => ({
    tipo: e.tipo,
    avvenutoIl: e.avvenuto_il,
    descrizione: descriviEvento(e.tipo, e.dettagli),
    ...(e.pacchetto_id !== null && { idPacchetto: e.pacchetto_id }),
  }));
  if (i.esito_verifica !== null) vista.esitoVerifica = i.esito_verifica;
  if (i.chiusa_il !== null) vista.dataChiusura = i.chiusa_il;
  if (i.regola_chiusura !== null) vista.regolaChiusura = i.regola_chiusura;
  return vista;
}
