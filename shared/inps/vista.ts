import type { Pool } from 'pg';
import { ApeError } from '../errors';
import { DATI_VERIFICATI, type EnteVerificatore, type Esito, type EsitoDato, type TipoDomanda, type DatoVerificato } from '../domain/types';
import type { ChiaveIstruttoria, RegolaChiusura, StatoIstruttoria, StatoPacchetto, VistaIstruttoria } from '../messages/istruttoria';

/** Reads the state of one istruttoria with every packet and its esiti (StatoIstruttoria). */
export async function caricaVista(pool: Pool, chiave: ChiaveIstruttoria): Promise<VistaIstruttoria> {
  const byId = 'idIstruttoria' in chiave;
  const { rows } = await pool.query<{
    id: string; protocollo: string; tipo: TipoDomanda; stato: StatoIstruttoria; data_presentazione: Date; ricevuta_il: Date;
    esito_verifica: Esito | null; chiusa_il: Date | null; regola_chiusura: RegolaChiusura | null;
  }>(
    `SELECT i.id, d.protocollo, d.tipo, i.stato, d.data_presentazione, d.ricevuta_il, i.esito_verifica, i.chiusa_il, i.regola_chiusura
       FROM istruttoria i JOIN domanda d ON d.id = i.domanda_id
      WHERE ${byId ? 'i.id = $1' : 'd.protocollo = $1'}`,
    [byId ? chiave.idIstruttoria : chiave.protocolloDomanda],
  );
  const i = rows[0];
  if (!i) {
    throw new ApeError('ISTRUTTORIA_NON_TROVATA', byId ? `nessuna istruttoria ${chiave.idIstruttoria}` : `nessuna domanda con protocollo ${chiave.protocolloDomanda}`);
  }
  const packets = await pool.query<{
    id: string; destinatario: EnteVerificatore; stato: StatoPacchetto; correlation_id: string | null; creato_il: Date;
    inviato_il: Date | null; risposto_il: Date | null; esito: Esito | null;
    esiti: Array<{ riferimento: number; dato: DatoVerificato; esito: Esito; nota: string | null }> | null;
  }>(
    `SELECT p.id, p.destinatario, p.stato, p.correlation_id, p.creato_il, p.inviato_il, p.risposto_il, p.esito,
            (SELECT json_agg(json_build_object('riferimento', e.riferimento, 'dato', e.dato, 'esito', e.esito, 'nota', e.nota)
                     ORDER BY e.riferimento, array_position($2::text[], e.dato))
               FROM esito_dato e WHERE e.pacchetto_id = p.id) AS esiti
       FROM pacchetto p WHERE p.istruttoria_id = $1
      ORDER BY array_position(ARRAY['MINLAVORO','ANPAL','INAIL','INL'], p.destinatario)`,
    [i.id, DATI_VERIFICATI],
  );
  const vista: VistaIstruttoria = {
    idIstruttoria: i.id,
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
    })),
  };
  if (i.esito_verifica !== null) vista.esitoVerifica = i.esito_verifica;
  if (i.chiusa_il !== null) vista.dataChiusura = i.chiusa_il;
  if (i.regola_chiusura !== null) vista.regolaChiusura = i.regola_chiusura;
  return vista;
}
