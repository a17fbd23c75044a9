import type { Categoria, ContenutoPacchetto, DatoVerificato, EnteVerificatore, Esito, Rapporto, TipoDomanda } from '../domain/types';
import { el, opt, Xml, xsDateTime } from '../xml/write';
import type { XmlReader } from '../xml/read';

/** Codec of wsdl/verifica-pacchetto.wsdl (payloads in namespace pac:). */

export function writeVerificaPacchetto(p: ContenutoPacchetto): Xml {
  return el('pac:VerificaPacchetto', [
    el('pac:IdPacchetto', p.idPacchetto),
    el('pac:IdIstruttoria', p.idIstruttoria),
    el('pac:ProtocolloDomanda', p.protocolloDomanda),
    el('pac:TipoDomanda', p.tipoDomanda),
    el('pac:Destinatario', p.destinatario),
    el('pac:DataInvio', xsDateTime(p.dataInvio)),
    el('pac:Lavoratore', el('pac:CodiceFiscale', p.lavoratore.codiceFiscale)),
    el('pac:Rapporti', p.rapporti.map(writeRapporto)),
  ]);
}

function writeRapporto(r: Rapporto): Xml {
  return el('pac:Rapporto', [
    el('pac:Riferimento', r.riferimento),
    el('pac:DatoreLavoro', [el('pac:CodiceFiscale', r.datore.codiceFiscale), opt('pac:PatInail', r.datore.patInail)]),
    el('pac:Periodo', [el('pac:Dal', r.periodo.dal), opt('pac:Al', r.periodo.al)]),
    el('pac:Categoria', r.categoria),
    opt('pac:Ccnl', r.ccnl),
    opt('pac:Livello', r.livello),
    opt('pac:ProfessioneIstat', r.professioneIstat),
    r.vociTariffaInail !== undefined && r.vociTariffaInail.length > 0
      ? el('pac:VociTariffaInail', r.vociTariffaInail.map((v) => el('pac:VoceTariffa', v)))
      : new Xml(''),
    opt('pac:LavoroATurni', r.lavoroATurni),
    opt('pac:AttivitaEducativa', r.attivitaEducativa),
  ]);
}

export function readVerificaPacchetto(r: XmlReader): ContenutoPacchetto {
  return {
    idPacchetto: r.text('IdPacchetto'),
    idIstruttoria: r.text('IdIstruttoria'),
    protocolloDomanda: r.text('ProtocolloDomanda'),
    tipoDomanda: r.text('TipoDomanda') as TipoDomanda,
    destinatario: r.text('Destinatario') as EnteVerificatore,
    dataInvio: r.dateTime('DataInvio'),
    lavoratore: { codiceFiscale: r.child('Lavoratore').text('CodiceFiscale') },
    rapporti: r.child('Rapporti').children('Rapporto').map(readRapporto),
  };
}

function readRapporto(r: XmlReader): Rapporto {
  const datore = r.child('DatoreLavoro');
  const periodo = r.child('Periodo');
  const out: Rapporto = {
    riferimento: r.integer('Riferimento'),
    datore: { codiceFiscale: datore.text('CodiceFiscale') },
    periodo: { dal: periodo.date('Dal') },
    categoria: r.text('Categoria') as Categoria,
  };
  const pat = datore.optText('PatInail');
  if (pat !== undefined) out.datore.patInail = pat;
  const al = periodo.optDate('Al');
  if (al !== undefined) out.periodo.al = al;
  const ccnl = r.optText('Ccnl');
  if (ccnl !== undefined) out.ccnl = ccnl;
  const livello = r.optText('Livello');
  if (livello !== undefined) out.livello = livello;
  const istat = r.optText('ProfessioneIstat');
  if (istat !== undefined) out.professioneIstat = istat;
  const voci = r.optChild('VociTariffaInail');
  if (voci) out.vociTariffaInail = voci.children('VoceTariffa').map((v) => v.value());
  const turni = r.optBoolean('LavoroATurni');
  if (turni !== undefined) out.lavoroATurni = turni;
  const edu = r.optBoolean('AttivitaEducativa');
  if (edu !== undefined) out.attivitaEducativa = edu;
  return out;
}

export function writeVerificaPacchettoRisposta(): Xml {
  return el('pac:VerificaPacchettoRisposta', el('pac:Esito', 'ACCEPTED'));
}

export interface Sollecito {
  idSollecito: string;
  idPacchetto: string;
  destinatario: EnteVerificatore;
  scadenza: Date;
  dataSollecito: Date;
}

export function writeSollecitaEsito(s: Sollecito): Xml {
  return el('pac:SollecitaEsito', [
    el('pac:IdSollecito', s.idSollecito),
    el('pac:IdPacchetto', s.idPacchetto),
    el('pac:Destinatario', s.destinatario),
    el('pac:Scadenza', xsDateTime(s.scadenza)),
    el('pac:DataSollecito', xsDateTime(s.dataSollecito)),
  ]);
}

export function readSollecitaEsito(r: XmlReader): Sollecito {
  return {
    idSollecito: r.text('IdSollecito'),
    idPacchetto: r.text('IdPacchetto'),
    destinatario: r.text('Destinatario') as EnteVerificatore,
    scadenza: r.dateTime('Scadenza'),
    dataSollecito: r.dateTime('DataSollecito'),
  };
}

export type MotivoNonVerificato = 'NON_VERIFICABILE' | 'ESITO_NON_PERVENUTO' | 'PACCHETTO_RIFIUTATO';

export interface DatoNonVerificato {
  ente: EnteVerificatore;
  riferimento: number;
  dato: DatoVerificato;
  motivo: MotivoNonVerificato;
}

export interface IndiceSegnalato {
  codice: 'CINQUE_LAVORATORI_STESSO_DATORE' | 'TRE_DATORI_PERIODO_RILEVANTE' | 'IMPRESA_CESSATA' | 'INDICE_ELUSIVO';
  descrizione: string;
  datore?: string;
}

export interface Segnalazione {
  idSegnalazione: string;
  idIstruttoria: string;
  protocolloDomanda: string;
  tipoDomanda: TipoDomanda;
  destinatario: EnteVerificatore;
  dataInvio: Date;
  limiteAttesa: Date;
  lavoratore: { codiceFiscale: string };
  rapporti: Rapporto[];
  datiNonVerificati: DatoNonVerificato[];
  indici: IndiceSegnalato[];
}

export function writeSegnalaCaso(s: Segnalazione): Xml {
  return el('pac:SegnalaCaso', [
    el('pac:IdSegnalazione', s.idSegnalazione),
    el('pac:IdIstruttoria', s.idIstruttoria),
    el('pac:ProtocolloDomanda', s.protocolloDomanda),
    el('pac:TipoDomanda', s.tipoDomanda),
    el('pac:Destinatario', s.destinatario),
    el('pac:DataInvio', xsDateTime(s.dataInvio)),
    el('pac:LimiteAttesa', xsDateTime(s.limiteAttesa)),
    el('pac:Lavoratore', el('pac:CodiceFiscale', s.lavoratore.codiceFiscale)),
    el('pac:Rapporti', s.rapporti.map(writeRapporto)),
    el(
      'pac:DatiNonVerificati',
      s.datiNonVerificati.map((d) =>
        el('pac:DatoNonVerificato', [el('pac:Ente', d.ente), el('pac:Riferimento', d.riferimento), el('pac:Dato', d.dato), el('pac:Motivo', d.motivo)]),
      ),
    ),
    el(
      'pac:Indici',
      s.indici.map((i) => el('pac:Indice', [el('pac:Codice', i.codice), el('pac:Descrizione', i.descrizione.slice(0, 500)), opt('pac:DatoreLavoro', i.datore)])),
    ),
  ]);
}

export function readSegnalaCaso(r: XmlReader): Segnalazione {
  return {
    idSegnalazione: r.text('IdSegnalazione'),
    idIstruttoria: r.text('IdIstruttoria'),
    protocolloDomanda: r.text('ProtocolloDomanda'),
    tipoDomanda: r.text('TipoDomanda') as TipoDomanda,
    destinatario: r.text('Destinatario') as EnteVerificatore,
    dataInvio: r.dateTime('DataInvio'),
    limiteAttesa: r.dateTime('LimiteAttesa'),
    lavoratore: { codiceFiscale: r.child('Lavoratore').text('CodiceFiscale') },
    rapporti: r.child('Rapporti').children('Rapporto').map(readRapporto),
    datiNonVerificati: r.child('DatiNonVerificati').children('DatoNonVerificato').map((d) => ({
      ente: d.text('Ente') as EnteVerificatore,
      riferimento: d.integer('Riferimento'),
      dato: d.text('Dato') as DatoVerificato,
      motivo: d.text('Motivo') as MotivoNonVerificato,
    })),
    indici: r.child('Indici').children('Indice').map((i) => {
      const out: IndiceSegnalato = { codice: i.text('Codice') as IndiceSegnalato['codice'], descrizione: i.text('Descrizione') };
      const datore = i.optText('DatoreLavoro');
      if (datore !== undefined) out.datore = datore;
      return out;
    }),
  };
}

export interface Riscontro {
  idRiscontro: string;
  idIstruttoria: string;
  protocolloDomanda: string;
  destinatario: EnteVerificatore;
  enteRispondente: EnteVerificatore;
  esito: Esito;
  dataEsito: Date;
  inRitardo: boolean;
}

export function writeNotificaRiscontro(x: Riscontro): Xml {
  return el('pac:NotificaRiscontro', [
    el('pac:IdRiscontro', x.idRiscontro),
    el('pac:IdIstruttoria', x.idIstruttoria),
    el('pac:ProtocolloDomanda', x.protocolloDomanda),
    el('pac:Destinatario', x.destinatario),
    el('pac:EnteRispondente', x.enteRispondente),
    el('pac:Esito', x.esito),
    el('pac:DataEsito', xsDateTime(x.dataEsito)),
    el('pac:InRitardo', x.inRitardo),
  ]);
}

export function readNotificaRiscontro(r: XmlReader): Riscontro {
  return {
    idRiscontro: r.text('IdRiscontro'),
    idIstruttoria: r.text('IdIstruttoria'),
    protocolloDomanda: r.text('ProtocolloDomanda'),
    destinatario: r.text('Destinatario') as EnteVerificatore,
    enteRispondente: r.text('EnteRispondente') as EnteVerificatore,
    esito: r.text('Esito') as Esito,
    dataEsito: r.dateTime('DataEsito'),
    inRitardo: r.optBoolean('InRitardo') ?? false,
  };
}

/** The ack of SollecitaEsito, SegnalaCaso and NotificaRiscontro. */
export function writePresaInCarico(operazione: 'SollecitaEsito' | 'SegnalaCaso' | 'NotificaRiscontro'): Xml {
  return el(`pac:${operazione}Risposta`, el('pac:Esito', 'ACCEPTED'));
}
