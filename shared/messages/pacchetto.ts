import type { Categoria, ContenutoPacchetto, EnteVerificatore, Rapporto, TipoDomanda } from '../domain/types';
import { el, opt, Xml, xsDateTime } from '../xml/write';
import type { XmlReader } from '../xml/read';

/** Codec of wsdl/verifica-pacchetto.wsdl (payloads in namespace pac:). */

export const OP_VERIFICA_PACCHETTO = 'VerificaPacchetto';

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
