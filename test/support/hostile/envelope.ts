import { writeNotificaEsito } from '../../../shared/messages/esiti';
import { OPERATORE, rawEnvelope } from '../raw-soap';
import type { Code, HostileCase } from './cases';
import { type CaseKit, NS, XML_DECL, post } from './kit';

/**
 * Hostile SOAP envelopes: an unknown or malformed operation in the Body, and a missing or malformed com:Operatore
 * header.
 */

// --------------------------------------------------------------------------------- unknown operation
export function unknownOperation(kit: CaseKit): HostileCase {
  const r = kit.rng;
  const form = r.pick([
    'random-element', 'random-element', 'random-element', 'other-contract', 'other-contract', 'notifica-esito', 'notifica-esito', 'domanda-wrong-namespace',
    'soap12', 'soap12', 'two-body-children', 'two-body-children', 'no-body', 'empty-envelope', 'empty-body', 'text-body', 'comment-body', 'header-after-body',
    'two-headers', 'two-bodies', 'root-not-envelope', 'envelope-random-namespace', 'envelope-no-namespace', 'trailing-envelope-child', 'soap-action-mismatch',
    'undeclared-prefix', 'fault-as-request',
  ] as const);
  let ns = r.pick(['', NS.ist, NS.com, NS.esi, NS.pac, NS.soap, `urn:fuzz:${r.ncname(8)}`, `http://evil.example/${r.ncname(6)}`]);
  let local = r.ncname(20);
  if (ns === NS.ist && (local === 'PresentaDomanda' || local === 'StatoIstruttoria')) local = `${local}X`;
  if (ns === NS.soap) ns = `urn:fuzz:${local}`;
  const content = r.ncname(10);
  const other = r.pick(['esi:NotificaAccertamento', 'pac:VerificaPacchetto', 'pac:SollecitaEsito', 'pac:SegnalaCaso', 'pac:NotificaRiscontro', 'ist:PresentaDomandaRisposta', 'ist:StatoIstruttoriaRisposta', 'com:ErroreApe', 'com:Operatore', 'esi:NotificaEsitoRisposta']);
  const wrongNs = r.pick([NS.com, NS.esi, NS.pac, 'urn:it:ape-precoci:istruttoria:v2', 'urn:it:ape-precoci:istruttoria:v1 ', 'URN:IT:APE-PRECOCI:ISTRUTTORIA:V1']);
  const action = r.pick(['urn:it:ape-precoci:istruttoria:v1:StatoIstruttoria', 'urn:it:ape-precoci:esiti:v1:NotificaEsito', 'PresentaDomanda', `urn:fuzz:${r.ncname(8)}`, '"x"']);
  const uuid = [r.string(8, '0123456789abcdef'), r.string(4, '0123456789abcdef'), `4${r.string(3, '0123456789abcdef')}`, `a${r.string(3, '0123456789abcdef')}`, r.string(12, '0123456789abcdef')].join('-');
  const repro =
    form === 'random-element' ? `Body payload {${ns}}${local}`
    : form === 'other-contract' ? `Body payload ${other}`
    : form === 'domanda-wrong-namespace' ? `PresentaDomanda in namespace ${JSON.stringify(wrongNs)}`
    : form === 'soap-action-mismatch' ? `valid domanda with SOAPAction ${JSON.stringify(action)}`
    : form;
  const SOAP_BAD: readonly Code[] = ['SOAP_NON_VALIDO'];
  const UNKNOWN: readonly Code[] = ['OPERAZIONE_SCONOSCIUTA'];
  return kit.make('unknown-operation', `unknown-op:${form}`, repro, (prot) => {
    const dom = kit.payload(prot);
    const env = (body: string) => post(rawEnvelope(OPERATORE, body));
    const open = `<soap:Envelope xmlns:soap="${NS.soap}" xmlns:com="${NS.com}" xmlns:ist="${NS.ist}">`;
    switch (form) {
      case 'random-element':
        return {
          request: env(ns === '' ? `<${local}><Campo>${content}</Campo></${local}>` : `<q:${local} xmlns:q="${ns}"><q:Campo>${content}</q:Campo></q:${local}>`),
          expect: UNKNOWN,
        };
      case 'other-contract':
        return { request: env(`<${other}><${other.split(':')[0]}:Campo>1</${other.split(':')[0]}:Campo></${other}>`), expect: UNKNOWN };
      case 'notifica-esito':
        return {
          request: env(
            writeNotificaEsito({ idPacchetto: uuid, ente: 'ANPAL', dataEsito: kit.ctx.presentazione, esitiDato: [{ riferimento: 1, dato: 'RAPPORTO_DI_LAVORO', esito: 'CONFORME' }] }).text,
          ),
          expect: UNKNOWN,
        };
      case 'domanda-wrong-namespace':
        return {
          request: env(dom.replace('<ist:PresentaDomanda>', `<ist:PresentaDomanda xmlns:ist="${wrongNs}">`)),
          // A name with a space at either end is no URI reference, so no namespace name (Namespaces in XML 1.0, 2.2).
          expect: wrongNs === wrongNs.trim() ? UNKNOWN : ['XML_MALFORMATO'],
        };
      case 'soap12':
        return {
          request: post(`${XML_DECL}<e:Envelope xmlns:e="${NS.soap12}" xmlns:com="${NS.com}" xmlns:ist="${NS.ist}"><e:Header>${OPERATORE}</e:Header><e:Body>${dom}</e:Body></e:Envelope>`, { SOAPAction: '' }),
          expect: SOAP_BAD,
        };
      case 'two-body-children':
        return { request: env(dom + r.pick([dom, '<ist:StatoIstruttoria><ist:ProtocolloDomanda>INPS.X.000001</ist:ProtocolloDomanda></ist:StatoIstruttoria>', `<q:${local} xmlns:q="urn:fuzz"/>`])), expect: SOAP_BAD };
      case 'no-body':
        return { request: post(`${XML_DECL}${open}<soap:Header>${OPERATORE}</soap:Header></soap:Envelope>`), expect: SOAP_BAD };
      case 'empty-envelope':
        return { request: post(`${XML_DECL}<soap:Envelope xmlns:soap="${NS.soap}"/>`), expect: SOAP_BAD };
      case 'empty-body':
        return { request: env(''), expect: SOAP_BAD };
      case 'text-body':
        return { request: env('PresentaDomanda'), expect: SOAP_BAD };
      case 'comment-body':
        return { request: env(`<!--${dom.replace(/--/g, '')}-->`), expect: SOAP_BAD };
      case 'header-after-body':
        return { request: post(`${XML_DECL}${open}<soap:Body>${dom}</soap:Body><soap:Header>${OPERATORE}</soap:Header></soap:Envelope>`), expect: SOAP_BAD };
      case 'two-headers':
        return { request: post(`${XML_DECL}${open}<soap:Header>${OPERATORE}</soap:Header><soap:Header/><soap:Body>${dom}</soap:Body></soap:Envelope>`), expect: SOAP_BAD };
      case 'two-bodies':
        return { request: post(`${XML_DECL}${open}<soap:Header>${OPERATORE}</soap:Header><soap:Body>${dom}</soap:Body><soap:Body/></soap:Envelope>`), expect: SOAP_BAD };
      case 'root-not-envelope':
        return { request: post(`${XML_DECL}${dom.replace('<ist:PresentaDomanda>', `<ist:PresentaDomanda xmlns:ist="${NS.ist}">`)}`), expect: SOAP_BAD };
      case 'envelope-random-namespace':
        return { request: post(rawEnvelope(OPERATORE, dom).replace(`xmlns:soap="${NS.soap}"`, `xmlns:soap="urn:fuzz:${local}"`)), expect: SOAP_BAD };
      case 'envelope-no-namespace':
        return { request: post(`${XML_DECL}<Envelope xmlns:com="${NS.com}" xmlns:ist="${NS.ist}"><Header>${OPERATORE}</Header><Body>${dom}</Body></Envelope>`), expect: SOAP_BAD };
      case 'trailing-envelope-child':
        return { request: post(rawEnvelope(OPERATORE, dom).replace('</soap:Envelope>', `<q:Coda xmlns:q="urn:fuzz"/></soap:Envelope>`)), expect: SOAP_BAD };
      case 'soap-action-mismatch':
        return { request: post(rawEnvelope(OPERATORE, dom), { SOAPAction: action }), expect: UNKNOWN };
      case 'undeclared-prefix':
        return { request: env(dom.replace(/ist:PresentaDomanda/g, 'zz:PresentaDomanda')), expect: ['OPERAZIONE_SCONOSCIUTA', 'XML_MALFORMATO'] };
      case 'fault-as-request':
        return { request: env('<soap:Fault><faultcode>soap:Client</faultcode><faultstring>x</faultstring></soap:Fault>'), expect: UNKNOWN };
    }
  });
}

// ------------------------------------------------------------------------------------------ operatore
export function operatore(kit: CaseKit): HostileCase {
  const r = kit.rng;
  const form = r.pick([
    'no-header', 'no-header', 'empty-header', 'unrelated-blocks', 'wrong-namespace', 'wrong-namespace', 'no-namespace', 'missing-id', 'missing-ufficio',
    'empty-operatore', 'bad-id', 'bad-id', 'bad-id', 'bad-ufficio', 'bad-ufficio', 'extra-child', 'children-wrong-namespace', 'swapped-children',
    'too-many-blocks', 'text-only', 'xsi-nil', 'operatore-in-body', 'two-operatori',
  ] as const);
  const id = r.pick(['', ' ', 'a b', '-abc', '.x', 'x'.repeat(65), 'àèì', 'op\ttab', "x';DROP TABLE domanda;--", 'op/1', 'op#1', '&lt;script&gt;', r.string(r.int(65, 300))]);
  const ufficio = r.pick(['', '   ', 'U'.repeat(201), `${'U '.repeat(150)}U`]);
  const wrongNs = r.pick([NS.ist, NS.esi, NS.pac, `urn:fuzz:${r.ncname(6)}`, 'urn:it:ape-precoci:comune:v2', 'urn:it:ape-precoci:comune:V1']);
  const blocks = r.int(33, 60);
  const repro =
    form === 'bad-id' ? `IdOperatore ${JSON.stringify(id)}`
    : form === 'bad-ufficio' ? `Ufficio of ${ufficio.length} characters ${JSON.stringify(ufficio.slice(0, 10))}`
    : form === 'wrong-namespace' ? `Operatore in ${wrongNs}`
    : form === 'too-many-blocks' ? `${blocks} header blocks (max 32)`
    : form === 'two-operatori' ? 'two com:Operatore blocks naming different operators'
    : form;
  const op = (idOp: string, uff: string) => `<com:Operatore><com:IdOperatore>${idOp}</com:IdOperatore><com:Ufficio>${uff}</com:Ufficio></com:Operatore>`;
  const ASSENTE: readonly Code[] = ['OPERATORE_ASSENTE'];
  const S: readonly Code[] = ['SCHEMA_NON_VALIDO'];
  return kit.make('operatore', `operatore:${form}`, repro, (prot) => {
    const dom = kit.payload(prot);
    const withHeaders = (h: string | null) =>
      post(h === null ? `${XML_DECL}<soap:Envelope xmlns:soap="${NS.soap}" xmlns:com="${NS.com}" xmlns:ist="${NS.ist}"><soap:Body>${dom}</soap:Body></soap:Envelope>` : rawEnvelope(h, dom));
    switch (form) {
      case 'no-header':
        return { request: withHeaders(null), expect: ASSENTE };
      case 'empty-header':
        return { request: withHeaders(''), expect: ASSENTE };
      case 'unrelated-blocks':
        return { request: withHeaders(`<q:Traccia xmlns:q="urn:fuzz:${r.ncname(5)}">x</q:Traccia><q:Altro xmlns:q="urn:fuzz">y</q:Altro>`), expect: ASSENTE };
      case 'wrong-namespace':
        return { request: withHeaders(`<o:Operatore xmlns:o="${wrongNs}"><o:IdOperatore>INPS-OP-TEST</o:IdOperatore><o:Ufficio>Sede</o:Ufficio></o:Operatore>`), expect: ['OPERATORE_ASSENTE', 'SCHEMA_NON_VALIDO'] };
      case 'no-namespace':
        return { request: withHeaders('<Operatore xmlns=""><IdOperatore>INPS-OP-TEST</IdOperatore><Ufficio>Sede</Ufficio></Operatore>'), expect: ['OPERATORE_ASSENTE', 'SCHEMA_NON_VALIDO'] };
      case 'missing-id':
        return { request: withHeaders('<com:Operatore><com:Ufficio>Sede</com:Ufficio></com:Operatore>'), expect: S };
      case 'missing-ufficio':
        return { request: withHeaders('<com:Operatore><com:IdOperatore>INPS-OP-TEST</com:IdOperatore></com:Operatore>'), expect: S };
      case 'empty-operatore':
        return { request: withHeaders('<com:Operatore/>'), expect: S };
      case 'bad-id':
        return { request: withHeaders(op(id, 'Sede di test')), expect: S };
      case 'bad-ufficio':
        return { request: withHeaders(op('INPS-OP-TEST', ufficio)), expect: S };
      case 'extra-child':
        return { request: withHeaders('<com:Operatore><com:IdOperatore>INPS-OP-TEST</com:IdOperatore><com:Ufficio>Sede</com:Ufficio><com:Ruolo>admin</com:Ruolo></com:Operatore>'), expect: S };
      case 'children-wrong-namespace':
        return { request: withHeaders('<com:Operatore><ist:IdOperatore>INPS-OP-TEST</ist:IdOperatore><ist:Ufficio>Sede</ist:Ufficio></com:Operatore>'), expect: S };
      case 'swapped-children':
        return { request: withHeaders('<com:Operatore><com:Ufficio>Sede</com:Ufficio><com:IdOperatore>INPS-OP-TEST</com:IdOperatore></com:Operatore>'), expect: S };
      case 'too-many-blocks':
        return { request: withHeaders(OPERATORE + '<q:B xmlns:q="urn:fuzz"/>'.repeat(blocks - 1)), expect: S };
      case 'text-only':
        return { request: withHeaders('<com:Operatore>INPS-OP-TEST</com:Operatore>'), expect: S };
      case 'xsi-nil':
        return { request: withHeaders('<com:Operatore xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>'), expect: S };
      case 'operatore-in-body':
        return { request: post(rawEnvelope('', OPERATORE + dom)), expect: ['OPERATORE_ASSENTE', 'SCHEMA_NON_VALIDO', 'SOAP_NON_VALIDO'] };
      case 'two-operatori':
        // Which operator caused the call? The convenzione wants one identifier per call, traceable afterwards.
        return { request: withHeaders(op('INPS-OP-TEST', 'Sede di test') + op('INPS-OP-ALTRO', 'Altra sede')), expect: ['OPERATORE_ASSENTE', 'SCHEMA_NON_VALIDO'] };
    }
  });
}
