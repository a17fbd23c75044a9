import { createPrivateKey, createPublicKey, randomUUID, sign, verify, type BinaryLike, type KeyLike } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as soap from 'soap';
import type { Domanda, Operatore } from '../../shared/domain/types';
import { escapeXml } from '../../shared/xml/write';
import { NS } from '../../shared/xml/namespaces';
import { TLS_CLIENT_POLICY } from '../../shared/soap/tls-policy';
import { WSDL_DIR } from '../../shared/paths';

/**
 * An INPS case-processing system as a counterpart would write it: a generic SOAP stack (node-soap) loading
 * wsdl/inps-istruttoria.wsdl unchanged, over mutual TLS with its own certificate. Used by the demo and by
 * the end-to-end tests, so they exercise the contract the way an independent client does.
 *
 * Message security (ModI ID_AUTH_SOAP_02) is node-soap's own WSSecurityCert, configured as the profile asks:
 * BinarySecurityToken, signed Timestamp, wsa:To, wsa:MessageID, com:Operatore and Body, exclusive C14N, SHA-256, RSA-SHA256 with an RSA key;
 * with an EC P-256 key, ECDSA-SHA256 (the other method ModI admits), which xml-crypto, under node-soap, does not have:
 * it is given to node-soap's signer as docs/INTEGRAZIONE.md tells a node-soap counterpart to.
 * The TLS client certificate rides along through ClientSSLSecurity's agent options.
 */
export interface TlsFiles {
  keyFile: string;
  certFile: string;
  caFile: string;
}

type AsyncOp = (args: unknown) => Promise<[Record<string, unknown>, string, unknown, string]>;

const WSA = 'http://www.w3.org/2005/08/addressing';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const ECDSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256';

/** ECDSA-SHA256 as an xml-crypto signature algorithm: the SignatureValue is r and s side by side (XML Signature 1.1), not DER. */
class EcdsaSha256 {
  getSignature = (signedInfo: BinaryLike, privateKey: KeyLike): string => sign('sha256', Buffer.from(signedInfo as string), { key: createPrivateKey(privateKey as string | Buffer), dsaEncoding: 'ieee-p1363' }).toString('base64');
  verifySignature = (material: string, key: KeyLike, value: string): boolean => verify('sha256', Buffer.from(material), { key: createPublicKey(key as string | Buffer), dsaEncoding: 'ieee-p1363' }, Buffer.from(value, 'base64'));
  getAlgorithmName = (): string => ECDSA_SHA256;
}
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';

export interface OpzioniSistema {
  /** Sign each call with WS-Security (default true); false only for a case system configured "nessuna". */
  firma?: boolean;
}

export class SistemaIstruttorio {
  private constructor(
    private readonly client: soap.Client,
    private readonly endpoint: string,
    private readonly operatoreXml: string,
  ) {}

  static async connect(endpoint: string, tls: TlsFiles, operatore: Operatore, o: OpzioniSistema = {}): Promise<SistemaIstruttorio> {
    const client = await soap.createClientAsync(path.join(WSDL_DIR, 'inps-istruttoria.wsdl'), {}, endpoint);
    // The project's TLS policy (shared/soap/tls-policy.ts), as every TLS client of the project.
    const ssl = new soap.ClientSSLSecurity(tls.keyFile, tls.certFile, tls.caFile, { ...TLS_CLIENT_POLICY });
    const keyPem = readFileSync(tls.keyFile);
    const wss =
      o.firma === false
        ? null
        : new soap.WSSecurityCert(keyPem, readFileSync(tls.certFile), '', {
            // node-soap adds the Body's reference only when told RSA-SHA256: with an EC key the method is changed after.
            signatureAlgorithm: RSA_SHA256,
            digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
            signatureTransformations: [EXC_C14N],
            // Every header the gateway acts on must be signed (INTESTAZIONE_NON_FIRMATA otherwise).
            additionalReferences: ['wsa:To', 'wsa:MessageID', 'com:Operatore'],
            signerOptions: { prefix: 'ds', idMode: 'wssecurity' },
          });
    if (wss && createPrivateKey(keyPem).asymmetricKeyType === 'ec') {
      const signer = (wss as unknown as { signer: { signatureAlgorithm: string; SignatureAlgorithms: Record<string, unknown> } }).signer;
      signer.SignatureAlgorithms[ECDSA_SHA256] = EcdsaSha256;
      signer.signatureAlgorithm = ECDSA_SHA256;
    }
    client.setSecurity({
      addOptions: (options: Record<string, unknown>) => ssl.addOptions(options),
      toXML: () => '',
      ...(wss && { postProcess: (xml: string, envelopeKey: string) => wss.postProcess(xml, envelopeKey) }),
    } as unknown as soap.ISecurity);
    const operatoreXml = `<com:Operatore xmlns:com="${NS.com}"><com:IdOperatore>${escapeXml(operatore.id)}</com:IdOperatore><com:Ufficio>${escapeXml(operatore.ufficio)}</com:Ufficio></com:Operatore>`;
    return new SistemaIstruttorio(client, endpoint, operatoreXml);
  }

  async presentaDomanda(d: Domanda): Promise<{ idIstruttoria: string; dataRicezione: Date; stato: string }> {
    const [result] = await this.invoca('PresentaDomanda', argsDomanda(d));
    return { idIstruttoria: String(result.IdIstruttoria), dataRicezione: new Date(result.DataRicezione as string | Date), stato: String(result.Stato) };
  }

  /** The response as node-soap parses it: element names as keys. */
  async statoIstruttoria(chiave: { IdIstruttoria: string } | { ProtocolloDomanda: string }): Promise<Record<string, unknown>> {
    const [result] = await this.invoca('StatoIstruttoria', chiave);
    return result;
  }

  /**
   * Headers are set per call, because wsa:MessageID must be new each time; node-soap reads them synchronously
   * when the call starts, so concurrent calls do not mix them up.
   */
  private invoca(operazione: string, args: unknown): Promise<[Record<string, unknown>, string, unknown, string]> {
    const op = (this.client as unknown as Record<string, AsyncOp>)[`${operazione}Async`]!;
    this.client.clearSoapHeaders();
    this.client.addSoapHeader(this.operatoreXml);
    this.client.addSoapHeader(`<wsa:To xmlns:wsa="${WSA}">${escapeXml(this.endpoint)}</wsa:To>`);
    this.client.addSoapHeader(`<wsa:MessageID xmlns:wsa="${WSA}">urn:uuid:${randomUUID()}</wsa:MessageID>`);
    return op.call(this.client, args);
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
