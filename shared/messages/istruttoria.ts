import type { Attestazione, Categoria, Domanda, EnteVerificatore, Esito, EsitoDato, DatoVerificato, TipoAttestazione, TipoDomanda } from '../domain/types';
import { el, opt, Xml, xsDateTime } from '../xml/write';
import type { XmlReader } from '../xml/read';
import type { RegolaChiusura, StatoIstruttoria, StatoPacchetto } from '../domain/stati';

/** Codec of wsdl/inps-istruttoria.wsdl (payloads in namespace ist:). */

export function readPresentaDomanda(r: XmlReader): Domanda {
  const ric = r.child('Richiedente');
  return {
    protocollo: r.text('ProtocolloDomanda'),
    tipo: r.text('TipoDomanda') as TipoDomanda,
    dataPresentazione: r.dateTime('DataPresentazione'),
    dataDecorrenza: r.date('DataDecorrenza'),
    richiedente: {
      codiceFiscale: ric.text('CodiceFiscale'),
      cognome: ric.text('Cognome'),
      nome: ric.text('Nome'),
      dataNascita: ric.date('DataNascita'),
    },
    attestazioni: r.child('Attestazioni').children('Attestazione').map(readAttestazione),
  };
}

function readAttestazione(a: XmlReader): Attestazione {
  const datore = a.child('DatoreLavoro');
  const periodo = a.child('Periodo');
  const out: Attestazione = {
    riferimento: a.integer('Riferimento'),
    tipo: a.text('TipoAttestazione') as TipoAttestazione,
    datore: { codiceFiscale: datore.text('CodiceFiscale'), denominazione: datore.text('Denominazione') },
    periodo: { dal: periodo.date('Dal') },
    categoria: a.text('Categoria') as Categoria,
    professioneIstat: a.text('ProfessioneIstat'),
    vociTariffaInail: a.optChild('VociTariffaInail')?.children('VoceTariffa').map((v) => v.value()) ?? [],
  };
  const matricola = datore.optText('MatricolaInps');
  if (matricola !== undefined) out.datore.matricolaInps = matricola;
  const pat = datore.optText('PatInail');
  if (pat !== undefined) out.datore.patInail = pat;
  const al = periodo.optDate('Al');
  if (al !== undefined) out.periodo.al = al;
  const ccnl = a.optText('Ccnl');
  if (ccnl !== undefined) out.ccnl = ccnl;
  const livello = a.optText('Livello');
  if (livello !== undefined) out.livello = livello;
  const turni = a.optBoolean('LavoroATurni');
  if (turni !== undefined) out.lavoroATurni = turni;
  const edu = a.optBoolean('AttivitaEducativa');
  if (edu !== undefined) out.attivitaEducativa = edu;
  const dom = a.optText('CodiceRapportoDomestico');
  if (dom !== undefined) out.codiceRapportoDomestico = dom;
  return out;
}

export function writePresentaDomanda(d: Domanda): Xml {
  return el('ist:PresentaDomanda', [
    el('ist:ProtocolloDomanda', d.protocollo),
    el('ist:TipoDomanda', d.tipo),
    el('ist:DataPresentazione', xsDateTime(d.dataPresentazione)),
    el('ist:DataDecorrenza', d.dataDecorrenza),
    el('ist:Richiedente', [
      el('ist:CodiceFiscale', d.richiedente.codiceFiscale),
      el('ist:Cognome', d.richiedente.cognome),
      el('ist:Nome', d.richiedente.nome),
      el('ist:DataNascita', d.richiedente.dataNascita),
    ]),
    el(
      'ist:Attestazioni',
      d.attestazioni.map((a) =>
        el('ist:Attestazione', [
          el('ist:Riferimento', a.riferimento),
          el('ist:TipoAttestazione', a.tipo),
          el('ist:DatoreLavoro', [
            el('ist:CodiceFiscale', a.datore.codiceFiscale),
            el('ist:Denominazione', a.datore.denominazione),
            opt('ist:MatricolaInps', a.datore.matricolaInps),
            opt('ist:PatInail', a.datore.patInail),
          ]),
          el('ist:Periodo', [el('ist:Dal', a.periodo.dal), opt('ist:Al', a.periodo.al)]),
          opt('ist:Ccnl', a.ccnl),
          opt('ist:Livello', a.livello),
          el('ist:Categoria', a.categoria),
          el('ist:ProfessioneIstat', a.professioneIstat),
          a.vociTariffaInail.length > 0 ? el('ist:VociTariffaInail', a.vociTariffaInail.map((v) => el('ist:VoceTariffa', v))) : new Xml(''),
          opt('ist:LavoroATurni', a.lavoroATurni),
          opt('ist:AttivitaEducativa', a.attivitaEducativa),
          opt('ist:CodiceRapportoDomestico', a.codiceRapportoDomestico),
        ]),
      ),
    ),
  ]);
}

export interface RicevutaDomanda {
  idIstruttoria: string;
  protocolloDomanda: string;
  dataRicezione: Date;
  stato: StatoIstruttoria;
}

export function writePresentaDomandaRisposta(r: RicevutaDomanda): Xml {
  return el('ist:PresentaDomandaRisposta', [
    el('ist:IdIstruttoria', r.idIstruttoria),
    el('ist:ProtocolloDomanda', r.protocolloDomanda),
    el('ist:DataRicezione', xsDateTime(r.dataRicezione)),
    el('ist:Stato', r.stato),
  ]);
}

export type ChiaveIstruttoria = { idIstruttoria: string } | { protocolloDomanda: string };

export function readStatoIstruttoria(r: XmlReader): ChiaveIstruttoria {
  const id = r.optText('IdIstruttoria');
  return id !== undefined ? { idIstruttoria: id } : { protocolloDomanda: r.text('ProtocolloDomanda') };
}

export function writeStatoIstruttoria(k: ChiaveIstruttoria): Xml {
  return el('ist:StatoIstruttoria', 'idIstruttoria' in k ? el('ist:IdIstruttoria', k.idIstruttoria) : el('ist:ProtocolloDomanda', k.protocolloDomanda));
}

export interface VistaPacchetto {
  idPacchetto: string;
  destinatario: EnteVerificatore;
  stato: StatoPacchetto;
  correlationId?: string;
  creatoIl: Date;
  inviatoIl?: Date;
  rispostoIl?: Date;
  esito?: Esito;
  esitiDato: EsitoDato[];
  scadenzaEsito?: Date;
  inRitardo?: boolean;
  sollecitatoIl?: Date;
  /** An answer that arrived after the istruttoria closed: recorded, not applied. */
  esitoNonApplicato?: { ricevutoIl: Date; esito: Esito; esitiDato: EsitoDato[] };
}

/** The graduatoria window a domanda belongs to (dates YYYY-MM-DD, Europe/Rome). */
export interface VistaFinestra {
  anno: number;
  numero: number;
  apertura: string;
  chiusura: string;
  graduatoria: string;
}

export type TipoScadenza = 'ESITO_PACCHETTO' | 'CONSEGNA_PACCHETTO' | 'LIMITE_ISTRUTTORIA';
export type StatoScadenza = 'IN_CORSO' | 'RISPETTATA' | 'SUPERATA' | 'NON_PIU_RILEVANTE';

export interface VistaScadenza {
  tipo: TipoScadenza;
  idPacchetto?: string;
  scadeIl: Date;
  stato: StatoScadenza;
  descrizione: string;
}

export interface VistaAccertamento {
  idSegnalazione: string;
  segnalatoIl: Date;
  stato?: 'AVVIATO' | 'NON_AVVIATO' | 'CONCLUSO';
  idAccertamento?: string;
  esito?: 'REQUISITI_CONFERMATI' | 'REQUISITI_NON_CONFERMATI';
  aggiornatoIl?: Date;
}

export interface VistaEvento {
  tipo: string;
  avvenutoIl: Date;
  idPacchetto?: string;
  descrizione: string;
}

export interface VistaIstruttoria {
  idIstruttoria: string;
  /** Not part of the response: whose data this is, for the access trace. */
  codiceFiscaleRichiedente?: string;
  protocolloDomanda: string;
  tipoDomanda: TipoDomanda;
  stato: StatoIstruttoria;
  dataPresentazione: Date;
  dataRicezione: Date;
  esitoVerifica?: Esito;
  dataChiusura?: Date;
  regolaChiusura?: RegolaChiusura;
  pacchetti: VistaPacchetto[];
  limite?: Date;
  finestra?: VistaFinestra;
  scadenze: VistaScadenza[];
  controlliInps: Array<{ requisito: string; esito: string; dettaglio: string }>;
  indiciInl: Array<{ codice: string; descrizione: string; datore?: string; rilevatoIl: Date }>;
  accertamento?: VistaAccertamento;
  riesame?: { richiestoIl: Date; motivo: string };
  eventi: VistaEvento[];
}

export function writeEsitiDato(prefix: string, esiti: readonly EsitoDato[]): Xml {
  return el(
    `${prefix}:EsitiDato`,
    esiti.map((e) =>
      el(`${prefix}:EsitoDato`, [
        el(`${prefix}:Riferimento`, e.riferimento),
        el(`${prefix}:Dato`, e.dato),
        el(`${prefix}:Esito`, e.esito),
        opt(`${prefix}:Nota`, e.nota),
      ]),
    ),
  );
}

export function readEsitiDato(r: XmlReader): EsitoDato[] {
  return r.children('EsitoDato').map((e) => {
    const out: EsitoDato = { riferimento: e.integer('Riferimento'), dato: e.text('Dato') as DatoVerificato, esito: e.text('Esito') as Esito };
    const nota = e.optText('Nota');
    if (nota !== undefined) out.nota = nota;
    return out;
  });
}

export function writeStatoIstruttoriaRisposta(v: VistaIstruttoria): Xml {
  return el('ist:StatoIstruttoriaRisposta', [
    el('ist:IdIstruttoria', v.idIstruttoria),
    el('ist:ProtocolloDomanda', v.protocolloDomanda),
    el('ist:TipoDomanda', v.tipoDomanda),
    el('ist:Stato', v.stato),
    el('ist:DataPresentazione', xsDateTime(v.dataPresentazione)),
    el('ist:DataRicezione', xsDateTime(v.dataRicezione)),
    opt('ist:EsitoVerifica', v.esitoVerifica),
    opt('ist:DataChiusura', v.dataChiusura && xsDateTime(v.dataChiusura)),
    opt('ist:RegolaChiusura', v.regolaChiusura),
    el(
      'ist:Pacchetti',
      v.pacchetti.map((p) =>
        el('ist:Pacchetto', [
          el('ist:IdPacchetto', p.idPacchetto),
          el('ist:Destinatario', p.destinatario),
          el('ist:Stato', p.stato),
          opt('ist:CorrelationId', p.correlationId),
          el('ist:CreatoIl', xsDateTime(p.creatoIl)),
          opt('ist:InviatoIl', p.inviatoIl && xsDateTime(p.inviatoIl)),
          opt('ist:RispostoIl', p.rispostoIl && xsDateTime(p.rispostoIl)),
          opt('ist:Esito', p.esito),
          p.esitiDato.length > 0 ? writeEsitiDato('ist', p.esitiDato) : new Xml(''),
          opt('ist:ScadenzaEsito', p.scadenzaEsito && xsDateTime(p.scadenzaEsito)),
          opt('ist:InRitardo', p.inRitardo),
          opt('ist:SollecitatoIl', p.sollecitatoIl && xsDateTime(p.sollecitatoIl)),
          p.esitoNonApplicato
            ? el('ist:EsitoNonApplicato', [
                el('ist:RicevutoIl', xsDateTime(p.esitoNonApplicato.ricevutoIl)),
                el('ist:Esito', p.esitoNonApplicato.esito),
                writeEsitiDato('ist', p.esitoNonApplicato.esitiDato),
              ])
            : new Xml(''),
        ]),
      ),
    ),
    opt('ist:LimiteIstruttoria', v.limite && xsDateTime(v.limite)),
    v.finestra
      ? el('ist:Finestra', [
          el('ist:Anno', v.finestra.anno),
          el('ist:Numero', v.finestra.numero),
          el('ist:Apertura', v.finestra.apertura),
          el('ist:Chiusura', v.finestra.chiusura),
          el('ist:Graduatoria', v.finestra.graduatoria),
        ])
      : new Xml(''),
    lista('ist:Scadenze', v.scadenze, (x) =>
      el('ist:Scadenza', [el('ist:Tipo', x.tipo), opt('ist:IdPacchetto', x.idPacchetto), el('ist:ScadeIl', xsDateTime(x.scadeIl)), el('ist:Stato', x.stato), el('ist:Descrizione', nota(x.descrizione))]),
    ),
    lista('ist:ControlliInps', v.controlliInps, (c) => el('ist:Controllo', [el('ist:Requisito', c.requisito), el('ist:Esito', c.esito), el('ist:Dettaglio', nota(c.dettaglio))])),
    lista('ist:IndiciInl', v.indiciInl, (i) =>
      el('ist:Indice', [el('ist:Codice', i.codice), el('ist:Descrizione', nota(i.descrizione)), opt('ist:DatoreLavoro', i.datore), el('ist:RilevatoIl', xsDateTime(i.rilevatoIl))]),
    ),
    v.accertamento
      ? el('ist:Accertamento', [
          el('ist:IdSegnalazione', v.accertamento.idSegnalazione),
          el('ist:SegnalatoIl', xsDateTime(v.accertamento.segnalatoIl)),
          opt('ist:Stato', v.accertamento.stato),
          opt('ist:IdAccertamento', v.accertamento.idAccertamento),
          opt('ist:Esito', v.accertamento.esito),
          opt('ist:AggiornatoIl', v.accertamento.aggiornatoIl && xsDateTime(v.accertamento.aggiornatoIl)),
        ])
      : new Xml(''),
    v.riesame ? el('ist:Riesame', [el('ist:RichiestoIl', xsDateTime(v.riesame.richiestoIl)), el('ist:Motivo', nota(v.riesame.motivo))]) : new Xml(''),
    lista('ist:Eventi', v.eventi, (e) =>
      el('ist:Evento', [el('ist:Tipo', e.tipo), el('ist:AvvenutoIl', xsDateTime(e.avvenutoIl)), opt('ist:IdPacchetto', e.idPacchetto), el('ist:Descrizione', nota(e.descrizione))]),
    ),
  ]);
}

/** An optional list element: absent when empty (the schema wants at least one item inside). */
function lista<T>(name: string, items: readonly T[], item: (x: T) => Xml): Xml {
  return items.length === 0 ? new Xml('') : el(name, items.map(item));
}

/** com:Nota is at most 500 characters. */
function nota(s: string): string {
  return s.length > 500 ? `${s.slice(0, 497)}...` : s;
}
