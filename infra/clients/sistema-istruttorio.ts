import path from 'node:path';
import * as soap from 'soap';
import type { Domanda, Operatore } from '../../shared/domain/types';
import { escapeXml } from '../../shared/xml/write';
import { NS } from '../../shared/xml/namespaces';
import { WSDL_DIR } from '../../shared/paths';

/**
 * An INPS case-processing system as a counterpart would write it: a generic SOAP stack (node-soap) loading
 * wsdl/inps-istruttoria.wsdl unchanged, over mutual TLS with its own certificate. Used by the demo and by
 * the end-to-end tests, so they exercise the contract the way an independent client does.
 */
export interface TlsFiles {
  keyFile: string;
  certFile: string;
  caFile: string;
}

type AsyncOp = (args: unknown) => Promise<[Record<string, unknown>, string, unknown, string]>;

export class SistemaIstruttorio {
  private constructor(private readonly client: soap.Client) {}

  static async connect(endpoint: string, tls: TlsFiles, operatore: Operatore): Promise<SistemaIstruttorio> {
    const client = await soap.createClientAsync(path.join(WSDL_DIR, 'inps-istruttoria.wsdl'), {}, endpoint);
    client.setSecurity(new soap.ClientSSLSecurity(tls.keyFile, tls.certFile, tls.caFile));
    client.addSoapHeader(
      `<com:Operatore xmlns:com="${NS.com}"><com:IdOperatore>${escapeXml(operatore.id)}</com:IdOperatore><com:Ufficio>${escapeXml(operatore.ufficio)}</com:Ufficio></com:Operatore>`,
    );
    return new SistemaIstruttorio(client);
  }

  async presentaDomanda(d: Domanda): Promise<{ idIstruttoria: string; dataRicezione: Date; stato: string }> {
    const op = (this.client as unknown as Record<string, AsyncOp>).PresentaDomandaAsync!;
    const [result] = await op(argsDomanda(d));
    return { idIstruttoria: String(result.IdIstruttoria), dataRicezione: new Date(result.DataRicezione as string | Date), stato: String(result.Stato) };
  }

  /** The response as node-soap parses it: element names as keys. */
  async statoIstruttoria(chiave: { IdIstruttoria: string } | { ProtocolloDomanda: string }): Promise<Record<string, unknown>> {
    const op = (this.client as unknown as Record<string, AsyncOp>).StatoIstruttoriaAsync!;
    const [result] = await op(chiave);
    return result;
  }
}

/** The domanda as node-soap arguments (element names of istruttoria.xsd, in schema order). */
export function argsDomanda(d: Domanda): Record<string, unknown> {
  const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return {
    ProtocolloDomanda: d.protocollo,
    TipoDomanda: d.tipo,
    DataPresentazione: d.dataPresentazione.toISOString(),
    DataDecorrenza: d.dataDecorrenza,
    Richiedente: {
      CodiceFiscale: d.richiedente.codiceFiscale,
      Cognome: d.richiedente.cognome,
      Nome: d.richiedente.nome,
      DataNascita: d.richiedente.dataNascita,
    },
    Attestazioni: {
      Attestazione: d.attestazioni.map((a) =>
        defined({
          Riferimento: a.riferimento,
          TipoAttestazione: a.tipo,
          DatoreLavoro: defined({
            CodiceFiscale: a.datore.codiceFiscale,
            Denominazione: a.datore.denominazione,
            MatricolaInps: a.datore.matricolaInps,
            PatInail: a.datore.patInail,
          }),
          Periodo: defined({ Dal: a.periodo.dal, Al: a.periodo.al }),
          Ccnl: a.ccnl,
          Livello: a.livello,
          Categoria: a.categoria,
          ProfessioneIstat: a.professioneIstat,
          VociTariffaInail: a.vociTariffaInail.length > 0 ? { VoceTariffa: a.vociTariffaInail } : undefined,
          LavoroATurni: a.lavoroATurni,
          AttivitaEducativa: a.attivitaEducativa,
          CodiceRapportoDomestico: a.codiceRapportoDomestico,
        }),
      ),
    },
  };
}
