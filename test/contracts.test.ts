import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as soap from 'soap';
import { OPERATIONS } from '../shared/messages/contracts';
import { envelope } from '../shared/messages/envelope';
import { writeNotificaAccertamento, writeNotificaAccertamentoRisposta, writeNotificaEsito, writeNotificaEsitoRisposta } from '../shared/messages/esiti';
import { writePresentaDomanda, writePresentaDomandaRisposta, writeStatoIstruttoria, writeStatoIstruttoriaRisposta } from '../shared/messages/istruttoria';
import { writeNotificaRiscontro, writePresaInCarico, writeSegnalaCaso, writeSollecitaEsito, writeVerificaPacchetto, writeVerificaPacchettoRisposta } from '../shared/messages/pacchetto';
import { rapportiPerEnte } from '../shared/domain/competenza';
import { WSDL_DIR, PROJECT_ROOT } from '../shared/paths';
import { NS } from '../shared/xml/namespaces';
import { parseTree, type XmlNode } from '../shared/xml/tree';
import type { Xml } from '../shared/xml/write';
import { SCENARI } from '../infra/demo/dataset';
import { W3C_XSD_DIR, xmllintValidate } from './support/xmllint';
import { zeep } from './support/zeep';

/**
 * The contracts in wsdl/: valid XSD (checked against the W3C schema for schemas), valid WSDL 1.1 structure,
 * internally consistent, matching what the code sends, and consumable unchanged by two independent SOAP stacks.
 */
const WSDLS = ['inps-istruttoria.wsdl', 'verifica-pacchetto.wsdl', 'inps-esiti.wsdl'];
const XSDS = readdirSync(path.join(WSDL_DIR, 'xsd')).filter((f) => f.endsWith('.xsd'));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'contracts-'));

describe('xmllint', () => {
  test.each(XSDS)('%s is a valid XML Schema', async (f) => {
    await expect(xmllintValidate(path.join(W3C_XSD_DIR, '2001-XMLSchema.xsd'), path.join(WSDL_DIR, 'xsd', f))).resolves.toContain('validates');
  });

  test.each(WSDLS)('%s is a well-formed WSDL 1.1 document/literal description', async (f) => {
    await expect(xmllintValidate(path.join(PROJECT_ROOT, 'test', 'contracts', 'wsdl11-structure.xsd'), path.join(WSDL_DIR, f))).resolves.toContain('validates');
  });

  const d = SCENARI.find((s) => s.chiave === 'domestico-e-asilo')!.domanda('INPS.CONTRATTI.0001', new Date('2026-11-20T10:00:00Z'));
  const rapporti = rapportiPerEnte(d.attestazioni);
  const base = { idIstruttoria: '0f8fad5b-d9cb-469f-a165-70867728950e', protocolloDomanda: d.protocollo, tipoDomanda: d.tipo, dataInvio: new Date(), lavoratore: { codiceFiscale: d.richiedente.codiceFiscale } };
  const messages: Array<[string, Xml]> = [
    ['PresentaDomanda', writePresentaDomanda(d)],
    ['PresentaDomandaRisposta', writePresentaDomandaRisposta({ idIstruttoria: base.idIstruttoria, protocolloDomanda: d.protocollo, dataRicezione: new Date(), stato: 'IN_VERIFICA' })],
    ['StatoIstruttoria (id)', writeStatoIstruttoria({ idIstruttoria: base.idIstruttoria })],
    ['StatoIstruttoria (protocollo)', writeStatoIstruttoria({ protocolloDomanda: d.protocollo })],
    ['StatoIstruttoriaRisposta', writeStatoIstruttoriaRisposta({
      idIstruttoria: base.idIstruttoria, protocolloDomanda: d.protocollo, tipoDomanda: d.tipo, stato: 'CHIUSA', dataPresentazione: d.dataPresentazione, dataRicezione: new Date(),
      esitoVerifica: 'NON_CONFORME', dataChiusura: new Date(), regolaChiusura: 'ESITI_ARCHIVI',
      pacchetti: [{ idPacchetto: '7c9e6679-7425-40de-944b-e07fc1f90ae7', destinatario: 'ANPAL', stato: 'RISPOSTO', correlationId: 'abc-1', creatoIl: new Date(), inviatoIl: new Date(), rispostoIl: new Date(), esito: 'NON_CONFORME', esitiDato: [{ riferimento: 1, dato: 'CCNL', esito: 'NON_CONFORME', nota: 'CCNL in archivio: F012' }], scadenzaEsito: new Date(), inRitardo: true, sollecitatoIl: new Date() },
        { idPacchetto: '7c9e6679-7425-40de-944b-e07fc1f90aec', destinatario: 'INAIL', stato: 'SCADUTO', creatoIl: new Date(), esitiDato: [], esitoNonApplicato: { ricevutoIl: new Date(), esito: 'CONFORME', esitiDato: [{ riferimento: 1, dato: 'VOCE_TARIFFA', esito: 'CONFORME' }] } }],
      limite: new Date(),
      finestra: { anno: 2026, numero: 3, apertura: '2026-07-16', chiusura: '2026-11-30', graduatoria: '2026-12-31' },
      scadenze: [{ tipo: 'ESITO_PACCHETTO', idPacchetto: '7c9e6679-7425-40de-944b-e07fc1f90ae7', scadeIl: new Date(), stato: 'SUPERATA', descrizione: 'esito di ANPAL' }, { tipo: 'LIMITE_ISTRUTTORIA', scadeIl: new Date(), stato: 'RISPETTATA', descrizione: '30 giorni' }],
      controlliInps: [{ requisito: 'CONTINUITA_ATTIVITA', esito: 'SODDISFATTA', dettaglio: 'interruzioni 0 giorni' }],
      indiciInl: [{ codice: 'IMPRESA_CESSATA', descrizione: 'cessata', datore: '01234567897', rilevatoIl: new Date() }],
      accertamento: { idSegnalazione: '7c9e6679-7425-40de-944b-e07fc1f90ae8', segnalatoIl: new Date(), stato: 'CONCLUSO', idAccertamento: '7c9e6679-7425-40de-944b-e07fc1f90ae9', esito: 'REQUISITI_NON_CONFERMATI', aggiornatoIl: new Date() },
      riesame: { richiestoIl: new Date(), motivo: 'esito accertamento dopo la chiusura' },
      eventi: [{ tipo: 'DOMANDA_RICEVUTA', avvenutoIl: new Date(), descrizione: 'domanda ricevuta' }],
    })],
    ['SollecitaEsito', writeSollecitaEsito({ idSollecito: '7c9e6679-7425-40de-944b-e07fc1f90aea', idPacchetto: '7c9e6679-7425-40de-944b-e07fc1f90ae7', destinatario: 'ANPAL', scadenza: new Date(), dataSollecito: new Date() })],
    ['SegnalaCaso', writeSegnalaCaso({
      ...base, idSegnalazione: '7c9e6679-7425-40de-944b-e07fc1f90ae8', destinatario: 'INL', limiteAttesa: new Date(),
      rapporti: d.attestazioni.map((a) => ({ riferimento: a.riferimento, datore: { codiceFiscale: a.datore.codiceFiscale }, periodo: a.periodo, categoria: a.categoria })),
      datiNonVerificati: [{ ente: 'ANPAL', riferimento: 1, dato: 'CCNL', motivo: 'NON_VERIFICABILE' }, { ente: 'INAIL', riferimento: 1, dato: 'VOCE_TARIFFA', motivo: 'ESITO_NON_PERVENUTO' }],
      indici: [{ codice: 'TRE_DATORI_PERIODO_RILEVANTE', descrizione: '3 datori' }, { codice: 'IMPRESA_CESSATA', descrizione: 'cessata', datore: '01234567897' }],
    })],
    ['NotificaRiscontro', writeNotificaRiscontro({ idRiscontro: '7c9e6679-7425-40de-944b-e07fc1f90aeb', idIstruttoria: base.idIstruttoria, protocolloDomanda: d.protocollo, destinatario: 'ANPAL', enteRispondente: 'INAIL', esito: 'CONFORME', dataEsito: new Date(), inRitardo: false })],
    ['SegnalaCasoRisposta', writePresaInCarico('SegnalaCaso')],
    ['NotificaAccertamento', writeNotificaAccertamento({ idSegnalazione: '7c9e6679-7425-40de-944b-e07fc1f90ae8', stato: 'CONCLUSO', dataEvento: new Date(), idAccertamento: '7c9e6679-7425-40de-944b-e07fc1f90ae9', esito: 'REQUISITI_CONFERMATI', nota: 'verificato in loco' })],
    ['NotificaAccertamentoRisposta', writeNotificaAccertamentoRisposta()],
    ...[...rapporti].map(([ente, r]): [string, Xml] => [`VerificaPacchetto (${ente})`, writeVerificaPacchetto({ ...base, idPacchetto: '7c9e6679-7425-40de-944b-e07fc1f90ae7', destinatario: ente, rapporti: r })]),
    ['VerificaPacchettoRisposta', writeVerificaPacchettoRisposta()],
    ['NotificaEsito', writeNotificaEsito({ idPacchetto: '7c9e6679-7425-40de-944b-e07fc1f90ae7', ente: 'INL', dataEsito: new Date(), esitiDato: [{ riferimento: 2, dato: 'ATTIVITA_EDUCATIVA', esito: 'CONFORME' }] })],
    ['NotificaEsitoRisposta', writeNotificaEsitoRisposta()],
  ];

  test.each(messages)('the %s the code writes validates against the contract', async (name, xml) => {
    // The payload alone, as a standalone document with its namespaces declared on its root.
    const decls = Object.entries({ com: NS.com, ist: NS.ist, pac: NS.pac, esi: NS.esi }).map(([p, u]) => ` xmlns:${p}="${u}"`).join('');
    const file = path.join(tmp, `${name.replace(/\W+/g, '_')}.xml`);
    writeFileSync(file, xml.text.replace(/^<([a-z]+:[A-Za-z]+)/, `<$1${decls}`));
    await expect(xmllintValidate(path.join(WSDL_DIR, 'xsd', 'contratti.xsd'), file)).resolves.toContain('validates');
  });
});

describe('internal consistency', () => {
  const XS = 'http://www.w3.org/2001/XMLSchema';
  const WSDL = 'http://schemas.xmlsoap.org/wsdl/';
  const SOAP = 'http://schemas.xmlsoap.org/wsdl/soap/';
  const xsdElements = new Set<string>();
  for (const f of XSDS) {
    const text = readFileSync(path.join(WSDL_DIR, 'xsd', f), 'utf8');
    const tns = /targetNamespace="([^"]+)"/.exec(text)?.[1];
    const root = parseTree(text);
    expect(root.ns).toBe(XS);
    // Global element declarations are the direct xs:element children of xs:schema, in document order.
    const names = [...text.matchAll(/^  <xs:element name="([^"]+)"/gm)].map((m) => m[1]);
    expect(names.length).toBe(root.children.filter((c) => c.ns === XS && c.local === 'element').length);
    for (const n of names) xsdElements.add(`{${tns}}${n}`);
  }

  test.each(WSDLS)('%s: every part names a declared element, every operation is bound, soapActions match the code', (f) => {
    const text = readFileSync(path.join(WSDL_DIR, f), 'utf8');
    const prefixes = new Map([...text.matchAll(/xmlns:([A-Za-z]+)="([^"]+)"/g)].map((m) => [m[1], m[2]]));
    const resolve = (qn: string) => `{${prefixes.get(qn.split(':')[0]!)}}${qn.split(':')[1]}`;
    const messages = new Map<string, string[]>();
    for (const m of text.matchAll(/<wsdl:message name="([^"]+)">([\s\S]*?)<\/wsdl:message>/g)) {
      const parts = [...m[2]!.matchAll(/<wsdl:part name="([^"]+)" element="([^"]+)"\/>/g)].map((p) => {
        expect(xsdElements).toContain(resolve(p[2]!));
        return p[1]!;
      });
      expect(parts.length).toBeGreaterThan(0);
      messages.set(m[1]!, parts);
    }
    const tree = parseTree(text);
    const kids = (n: XmlNode, ns: string, local: string) => n.children.filter((c) => c.ns === ns && c.local === local);
    const portType = kids(tree, WSDL, 'portType')[0]!;
    const binding = kids(tree, WSDL, 'binding')[0]!;
    expect(kids(binding, WSDL, 'operation').length).toBe(kids(portType, WSDL, 'operation').length);
    for (const [, opName, action] of text.matchAll(/<wsdl:operation name="([A-Za-z]+)">\s*<soap:operation soapAction="([^"]+)"/g)) {
      expect(action).toBe(OPERATIONS[opName as keyof typeof OPERATIONS].soapAction);
    }
    for (const [, msg, part] of text.matchAll(/<soap:header message="tns:([A-Za-z]+)" part="([A-Za-z]+)"/g)) {
      expect(messages.get(msg!)).toEqual([part]);
    }
    expect(kids(binding, SOAP, 'binding')).toHaveLength(1);
  });
});

describe('independent SOAP stacks load the contracts unchanged', () => {
  test.each(WSDLS)('node-soap reads %s and sees its operations', async (f) => {
    const client = await soap.createClientAsync(path.join(WSDL_DIR, f));
    const described = client.describe() as Record<string, Record<string, Record<string, unknown>>>;
    const ops = Object.values(described).flatMap((svc) => Object.values(svc).flatMap((port) => Object.keys(port)));
    expect(ops.length).toBeGreaterThan(0);
    for (const op of ops) expect(Object.keys(OPERATIONS)).toContain(op);
  });

  test('Python zeep reads every WSDL with its operations, SOAP headers and bodies', async () => {
    const d = async (f: string) => zeep<Record<string, Record<string, { soapAction: string; input_headers: string[]; input_body: string }>>>({ action: 'describe', wsdl: path.join(WSDL_DIR, f) });
    expect(await d('inps-istruttoria.wsdl')).toEqual({
      'InpsIstruttoriaService/InpsIstruttoriaPort': {
        PresentaDomanda: { soapAction: OPERATIONS.PresentaDomanda.soapAction, input_headers: ['operatore'], input_body: OPERATIONS.PresentaDomanda.payload },
        StatoIstruttoria: { soapAction: OPERATIONS.StatoIstruttoria.soapAction, input_headers: ['operatore'], input_body: OPERATIONS.StatoIstruttoria.payload },
      },
    });
    const op = (name: keyof typeof OPERATIONS, input_headers: string[]) => ({ soapAction: OPERATIONS[name].soapAction, input_headers, input_body: OPERATIONS[name].payload });
    expect(await d('verifica-pacchetto.wsdl')).toEqual({
      'VerificaPacchettoService/VerificaPacchettoPort': {
        VerificaPacchetto: op('VerificaPacchetto', ['correlationId', 'operatore', 'replyTo']),
        SollecitaEsito: op('SollecitaEsito', ['correlationId', 'operatore']),
        SegnalaCaso: op('SegnalaCaso', ['correlationId', 'operatore', 'replyTo']),
        NotificaRiscontro: op('NotificaRiscontro', ['operatore']),
      },
    });
    expect(await d('inps-esiti.wsdl')).toEqual({
      'InpsEsitiService/InpsEsitiPort': {
        NotificaEsito: op('NotificaEsito', ['correlationId', 'operatore']),
        NotificaAccertamento: op('NotificaAccertamento', ['correlationId', 'operatore']),
      },
    });
  });
});
