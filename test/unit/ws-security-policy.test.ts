import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WSDL_DIR } from '../../shared/paths';
import { XMLSerializer } from '@xmldom/xmldom';
import { parseXmlDocument } from '../../shared/xml/document';
import { elementChildren as children } from '../../shared/soap/wssecurity/dom';
import { FAULT_ACTION, OPERATIONS, responseAction } from '../../shared/messages/contracts';
import { ALGORITHMS, SIGNED_HEADER_NAMESPACES, WSU_NS, X509V3 } from '../../shared/soap/wssecurity/constants';
import { METODI_FIRMA } from '../../shared/soap/wssecurity/metodo-firma';

/**
 * The contract says what the verifier enforces: each WSDL's binding carries the WS-SecurityPolicy 1.2 policy
 * ModI_ID_AUTH_SOAP_02, the same in the three, and its assertions are the rules of shared/soap/wssecurity, so a stack
 * that configures WS-Security from the WSDL (CXF/WSS4J, Metro, WCF) sends what the federation accepts.
 */
const WSP = 'http://www.w3.org/ns/ws-policy';
const SP = 'http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702';
const WSAM = 'http://www.w3.org/2007/05/addressing/metadata';
const WSDL = 'http://schemas.xmlsoap.org/wsdl/';
const WSDLS = ['inps-istruttoria.wsdl', 'verifica-pacchetto.wsdl', 'inps-esiti.wsdl'];

/** WS-SecurityPolicy 1.2 section 6.1: the algorithms an sp:AlgorithmSuite stands for (signature side). */
const SUITES: Record<string, { digest: string; asymmetricSignature: string }> = {
  Basic256Sha256: { digest: 'http://www.w3.org/2001/04/xmlenc#sha256', asymmetricSignature: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256' },
  Basic256: { digest: 'http://www.w3.org/2000/09/xmldsig#sha1', asymmetricSignature: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' },
};
/** Section 6.1: exclusive C14N unless the suite's policy adds sp:InclusiveC14N. */
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';

const elements = (root: Element, ns: string, local: string): Element[] => Array.from(root.getElementsByTagNameNS(ns, local));
/** The assertions directly inside a wsp:Policy child of `el` (the nested policy of an assertion). */
const nested = (el: Element): Element[] => children(el).filter((c) => c.namespaceURI === WSP && c.localName === 'Policy').flatMap(children);
const named = (list: Element[], local: string, ns = SP): Element => {
  const found = list.filter((e) => e.namespaceURI === ns && e.localName === local);
  expect(found).toHaveLength(1);
  return found[0]!;
};

function policyOf(file: string): { policy: Element; text: string } {
  const text = readFileSync(path.join(WSDL_DIR, file), 'utf8');
  const root = parseXmlDocument(text).documentElement;
  const policies = children(root).filter((c) => c.namespaceURI === WSP && c.localName === 'Policy');
  expect(policies).toHaveLength(1);
  const policy = policies[0]!;
  expect(policy.getAttributeNS(WSU_NS, 'Id')).toBe('ModI_ID_AUTH_SOAP_02');
  const bindings = children(root).filter((c) => c.namespaceURI === WSDL && c.localName === 'binding');
  expect(bindings).toHaveLength(1);
  const first = children(bindings[0]!)[0]!;
  expect([first.namespaceURI, first.localName, first.getAttribute('URI')]).toEqual([WSP, 'PolicyReference', '#ModI_ID_AUTH_SOAP_02']);
  // Compared without the whitespace between elements (indentation is not the policy).
  return { policy, text: new XMLSerializer().serializeToString(policy).replace(/>\s+</g, '><') };
}

test.each(WSDLS)('%s: its binding references the ModI_ID_AUTH_SOAP_02 policy', (file) => {
  policyOf(file);
});

test('the three contracts carry the same policy', () => {
  const [first, ...rest] = WSDLS.map((f) => policyOf(f).text);
  expect(first!.length).toBeGreaterThan(500);
  for (const t of rest) expect(t).toBe(first);
});

test("the policy's assertions are the rules the verifier enforces", () => {
  const { policy } = policyOf('inps-istruttoria.wsdl');
  const exactlyOne = children(policy);
  expect(exactlyOne.map((e) => e.localName)).toEqual(['ExactlyOne']);
  const alternatives = children(exactlyOne[0]!);
  expect(alternatives).toHaveLength(1); // one alternative: nothing to negotiate
  const all = children(alternatives[0]!);

  const binding = nested(named(all, 'AsymmetricBinding'));
  // X.509 v3 tokens, in the message both ways (referenced directly from KeyInfo: the BinarySecurityToken).
  for (const [role, include] of [['InitiatorToken', 'AlwaysToRecipient'], ['RecipientToken', 'AlwaysToInitiator']] as const) {
    const token = named(nested(named(binding, role)), 'X509Token');
    expect(token.getAttributeNS(SP, 'IncludeToken')).toBe(`${SP}/IncludeToken/${include}`);
    // WssX509V3Token10: the token's ValueType is the X.509 v3 one the verifier requires.
    expect(nested(token).map((e) => e.localName)).toEqual(['WssX509V3Token10']);
    expect(X509V3).toBe('http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3');
  }
  // The algorithm suite stands for the algorithms the verifier admits with an RSA key. WS-SecurityPolicy has no suite
  // for ECDSA: the one alternative, ECDSA-SHA256 with an EC P-256 key, is declared in docs/INTEGRAZIONE.md.
  const suite = nested(named(binding, 'AlgorithmSuite'));
  expect(suite).toHaveLength(1);
  const algorithms = SUITES[suite[0]!.localName];
  expect(algorithms).toEqual({ digest: ALGORITHMS.digest, asymmetricSignature: METODI_FIRMA.rsa });
  expect(elements(policy, SP, 'InclusiveC14N')).toHaveLength(0);
  expect(ALGORITHMS.canonicalizzazione).toBe(EXC_C14N);
  named(binding, 'IncludeTimestamp');
  named(binding, 'OnlySignEntireHeadersAndBody');
  // Nothing encrypted: confidentiality is the TLS channel's.
  for (const local of ['EncryptedParts', 'EncryptedElements', 'EncryptSignature', 'EncryptBeforeSigning']) expect(elements(policy, SP, local)).toHaveLength(0);

  // Signed: the Body and every header of the namespaces the verifier requires signed, no more and no less.
  const signed = children(named(all, 'SignedParts'));
  expect(signed.filter((e) => e.localName === 'Body')).toHaveLength(1);
  const headers = signed.filter((e) => e.localName === 'Header');
  expect(headers.every((h) => !h.hasAttribute('Name'))).toBe(true);
  expect(headers.map((h) => h.getAttribute('Namespace')).sort()).toEqual([...SIGNED_HEADER_NAMESPACES].sort());
  // WS-Addressing 1.0 required (wsa:To and wsa:MessageID are part of ID_AUTH_SOAP_02).
  named(all, 'Addressing', WSAM);
});

test.each(WSDLS)("%s: every message's wsam:Action is the action the federation sends and expects", (file) => {
  const root = parseXmlDocument(readFileSync(path.join(WSDL_DIR, file), 'utf8')).documentElement;
  const portType = children(root).find((c) => c.namespaceURI === WSDL && c.localName === 'portType')!;
  const operations = children(portType);
  expect(operations.length).toBeGreaterThan(0);
  for (const op of operations) {
    const name = op.getAttribute('name') as keyof typeof OPERATIONS;
    const soapAction = OPERATIONS[name].soapAction;
    const binding = Array.from(root.getElementsByTagNameNS('http://schemas.xmlsoap.org/wsdl/soap/', 'operation')).find((o) => (o.parentNode as Element).getAttribute('name') === name)!;
    expect(binding.getAttribute('soapAction')).toBe(soapAction);
    const action = (local: string) => children(op).filter((c) => c.localName === local).map((c) => c.getAttributeNS(WSAM, 'Action'));
    expect([name, action('input')]).toEqual([name, [soapAction]]);
    expect([name, action('output')]).toEqual([name, [responseAction(soapAction)]]);
    expect([name, action('fault')]).toEqual([name, [FAULT_ACTION]]);
  }
});
