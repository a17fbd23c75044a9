#!/usr/bin/env python3
"""WS-Security interoperability with an independent stack: Python zeep's signer and python-xmlsec (libxmlsec1).

Reads a JSON command on stdin and prints a JSON result on stdout:
  {"action": "sign", "wsdl": path, "operation": name, "args": {...}, "headers": {"Operatore": {...}, ...},
   "key": path, "cert": path, "to": url, "messageId": "urn:uuid:...", "createdOffsetSeconds": 0,
   "ttlSeconds": 300, "algorithms": "sha256" | "zeep-default", "inclusivePrefixes": ["soap-env", ...]}
      zeep builds the request for the operation, wsa:To / wsa:MessageID (with wsu:Id) and a wsu:Timestamp are
      added, and zeep's BinarySignature signs Body, Timestamp, To and MessageID (optionally declaring an
      InclusiveNamespaces PrefixList on every exclusive C14N, as WSS4J-based gateways do).
      -> {"xml": "<soap-env:Envelope ..."}
  {"action": "sign-xml", "xml": "<soap:Envelope ...", "key": path, "cert": path, "to": url, "messageId": "...",
   "inclusivePrefixes": ["#default", ...]}
      The same signature over an envelope given as text. -> {"xml": "..."}
  {"action": "verify", "xml": "...", "cert": path}
      The message is verified twice: by zeep (zeep.wsse.signature.verify_envelope, with the expected
      certificate) and by xmlsec directly, with the key taken from the BinarySecurityToken and only exclusive
      C14N, SHA-256 and RSA-SHA256 enabled.
      -> {"zeep": {"valid": bool, "error"?}, "xmlsec": {"valid": bool, "error"?}, "tokenMatchesCert": bool,
          "signed": ["{ns}local", ...], "c14n": uri, "signatureMethod": uri, "digestMethods": [uri], "transforms": [uri]}
"""
import base64
import contextlib
import datetime
import json
import sys
import uuid

import requests
import xmlsec
import zeep
from lxml import etree
from lxml.etree import QName
from zeep import ns
from zeep.exceptions import SignatureVerificationFailed
from zeep.transports import Transport
from zeep.wsse import signature as zeep_signature
from zeep.wsse.utils import WSU, ensure_id, get_security_header, get_timestamp

COM = "urn:it:ape-precoci:comune:v1"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
WSA = "http://www.w3.org/2005/08/addressing"
EC = "http://www.w3.org/2001/10/xml-exc-c14n#"
NSMAP = {"soap": SOAP, "wsse": ns.WSSE, "wsu": ns.WSU, "ds": ns.DS, "wsa": WSA}


def soap_headers(client, headers):
    out = []
    for name, value in headers.items():
        if isinstance(value, dict):
            out.append(client.get_element(f"{{{COM}}}{name}")(**value))
        else:
            # zeep renders simple-typed header elements only as lxml elements.
            element = etree.Element(f"{{{COM}}}{name}", nsmap={"com": COM})
            element.text = value
            out.append(element)
    return out


def add_inclusive_namespaces(parent, prefixes):
    """What WSS4J-based gateways (CXF, GovWay) send: an ec:InclusiveNamespaces PrefixList under the exclusive
    C14N method, which libxmlsec1 honours when it signs."""
    if prefixes:
        etree.SubElement(parent, QName(EC, "InclusiveNamespaces"), {"PrefixList": " ".join(prefixes)}, nsmap={"ec": EC})


@contextlib.contextmanager
def also_signing(extra_nodes, inclusive_prefixes):
    """zeep signs only soap:Body and wsu:Timestamp. ModI ID_AUTH_SOAP_02 also needs wsa:To and wsa:MessageID,
    so they are added through zeep's own _sign_node, right after it signs the Body."""
    original = zeep_signature._sign_node

    def sign_one(ctx, signature, target, digest_method):
        original(ctx, signature, target, digest_method)
        # iter(), not findall(): lxml's path search misses the Transforms node libxmlsec1 just created.
        reference = signature.findall("ds:SignedInfo/ds:Reference", NSMAP)[-1]
        add_inclusive_namespaces(list(reference.iter(QName(ns.DS, "Transform")))[-1], inclusive_prefixes)

    def sign_node(ctx, signature, target, digest_method=None):
        if not signature.findall("ds:SignedInfo/ds:Reference", NSMAP):
            add_inclusive_namespaces(signature.find("ds:SignedInfo/ds:CanonicalizationMethod", NSMAP), inclusive_prefixes)
        sign_one(ctx, signature, target, digest_method)
        if target.tag == QName(SOAP, "Body"):
            for node in extra_nodes:
                sign_one(ctx, signature, node, digest_method)

    zeep_signature._sign_node = sign_node
    try:
        yield
    finally:
        zeep_signature._sign_node = original


class ModISignature:
    """A zeep wsse plugin for ModI ID_AUTH_SOAP_02: wsa:To and wsa:MessageID (with wsu:Id), a wsu:Timestamp, and
    zeep's BinarySignature over Body, Timestamp, To, MessageID and the com:* headers (Operatore, X-ReplyTo,
    X-Correlation-ID). A new MessageID on every call unless given.
    With server_cert (the provider's certificate, PEM), every response, ack or Fault, is verified (verify)."""

    def __init__(self, key, cert, to, message_id=None, created_offset_seconds=0, ttl_seconds=300, algorithms="sha256", inclusive_prefixes=(), server_cert=None):
        self.key, self.cert, self.to, self.message_id = key, cert, to, message_id
        self.server_cert, self.sent_message_id = server_cert, None
        # What each verified response's signature covered (local names), for the caller to report.
        self.verified = []
        self.created_offset_seconds, self.ttl_seconds = created_offset_seconds, ttl_seconds
        self.algorithms, self.inclusive_prefixes = algorithms, list(inclusive_prefixes)

    def apply(self, envelope, headers):
        security = get_security_header(envelope)
        header = envelope.find(QName(SOAP, "Header"))
        to = etree.SubElement(header, QName(WSA, "To"), nsmap={"wsa": WSA})
        to.text = self.to
        message_id = etree.SubElement(header, QName(WSA, "MessageID"), nsmap={"wsa": WSA})
        message_id.text = self.message_id or f"urn:uuid:{uuid.uuid4()}"
        self.sent_message_id = message_id.text
        # Every other header block the receiver acts on (com:Operatore, com:X-ReplyTo, com:X-Correlation-ID, any
        # wsa:*) must be signed too, or it is refused with INTESTAZIONE_NON_FIRMATA.
        acted = [h for h in header if isinstance(h.tag, str) and QName(h).namespace in (COM, WSA) and h is not to and h is not message_id]
        for node in (to, message_id, *acted):
            ensure_id(node)

        # zeep's own timestamp helpers: Created with a +00:00 offset, Expires in Zulu form, whole seconds.
        created = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=self.created_offset_seconds)
        expires = created + datetime.timedelta(seconds=self.ttl_seconds)
        security.append(WSU.Timestamp(WSU.Created(get_timestamp(created)), WSU.Expires(get_timestamp(expires, zulu_timestamp=True))))

        if self.algorithms == "sha256":
            signer = zeep_signature.BinarySignature(self.key, self.cert, signature_method=xmlsec.Transform.RSA_SHA256, digest_method=xmlsec.Transform.SHA256)
        else:
            signer = zeep_signature.BinarySignature(self.key, self.cert)  # zeep's defaults: RSA-SHA1, SHA1
        with also_signing([to, message_id, *acted], self.inclusive_prefixes):
            return signer.apply(envelope, headers)

    def verify(self, envelope):
        """The provider's signature on its response (ModI ID_AUTH_SOAP_02 on the response): zeep's own
        verify_envelope (python-xmlsec) with the provider's certificate, then what zeep leaves to the caller: the
        parts the signature covers, wsa:RelatesTo naming our wsa:MessageID (a Fault sent before the provider could
        read the request has none), the Timestamp fresh (60 s of clock skew)."""
        if self.server_cert is None:
            return envelope
        zeep_signature.verify_envelope(envelope, self.server_cert)
        header = envelope.find("soap:Header", NSMAP)
        signature = header.find("wsse:Security/ds:Signature", NSMAP)
        signed = {}
        for ref in signature.findall("ds:SignedInfo/ds:Reference", NSMAP):
            (node,) = envelope.xpath("//*[@wsu:Id=$id]", namespaces=NSMAP, id=ref.get("URI")[1:])
            signed[QName(node).localname] = node
        relates_to = header.find("wsa:RelatesTo", NSMAP)
        is_fault = envelope.find("soap:Body/soap:Fault", NSMAP) is not None
        required = {"Body", "Timestamp", "MessageID"} | {QName(h).localname for h in header if isinstance(h.tag, str) and QName(h).namespace == COM}
        if relates_to is not None or not is_fault:
            required.add("RelatesTo")
        if not required <= signed.keys():
            raise SignatureVerificationFailed(f"the response's signature does not cover {sorted(required - signed.keys())}")
        if relates_to is not None and relates_to.text != self.sent_message_id:
            raise SignatureVerificationFailed(f"wsa:RelatesTo {relates_to.text} is not our wsa:MessageID {self.sent_message_id}")
        now = datetime.datetime.now(datetime.timezone.utc)
        skew = datetime.timedelta(seconds=60)
        timestamp = signed["Timestamp"]
        created, expires = (datetime.datetime.fromisoformat(timestamp.find(f"wsu:{t}", NSMAP).text.replace("Z", "+00:00")) for t in ("Created", "Expires"))
        if created > now + skew or expires < now - skew:
            raise SignatureVerificationFailed(f"stale response: created {created}, expires {expires}")
        self.verified.append(sorted(signed))
        return envelope


def sign(cmd):
    session = requests.Session()
    # No HTTP is made, but never let proxy or CA settings from the environment in.
    session.trust_env = False
    client = zeep.Client(cmd["wsdl"], transport=Transport(session=session))
    binding = next(iter(next(iter(client.wsdl.services.values())).ports.values())).binding
    service = client.create_service(binding.name, cmd["to"])
    envelope = client.create_message(service, cmd["operation"], **cmd["args"], _soapheaders=soap_headers(client, cmd.get("headers", {})))
    plugin = ModISignature(
        cmd["key"], cmd["cert"], cmd["to"], message_id=cmd["messageId"], created_offset_seconds=cmd.get("createdOffsetSeconds", 0),
        ttl_seconds=cmd.get("ttlSeconds", 300), algorithms=cmd.get("algorithms", "sha256"), inclusive_prefixes=cmd.get("inclusivePrefixes", []),
    )
    envelope, _ = plugin.apply(envelope, {})
    return {"xml": etree.tostring(envelope, encoding="unicode")}


def sign_xml(cmd):
    """A SOAP 1.1 envelope given as text (e.g. one whose Envelope declares a default namespace), signed as sign does."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    envelope = etree.fromstring(cmd["xml"].encode("utf-8"), parser)
    plugin = ModISignature(cmd["key"], cmd["cert"], cmd["to"], message_id=cmd["messageId"], inclusive_prefixes=cmd.get("inclusivePrefixes", []))
    envelope, _ = plugin.apply(envelope, {})
    return {"xml": etree.tostring(envelope, encoding="unicode")}


def token_certificate(envelope, signature):
    uri = signature.find("ds:KeyInfo/wsse:SecurityTokenReference/wsse:Reference", NSMAP).get("URI")
    token = envelope.xpath("//wsse:BinarySecurityToken[@wsu:Id=$id]", namespaces=NSMAP, id=uri[1:])[0]
    der = base64.b64decode("".join(token.text.split()))
    body = base64.encodebytes(der).decode("ascii")
    return der, f"-----BEGIN CERTIFICATE-----\n{body}-----END CERTIFICATE-----\n".encode("ascii")


def pem_to_der(pem_bytes):
    lines = [line for line in pem_bytes.decode("ascii").splitlines() if line and not line.startswith("-----")]
    return base64.b64decode("".join(lines))


def verify_with_xmlsec(envelope, signature, cert_pem):
    ctx = xmlsec.SignatureContext()
    # Only what the federation allows: anything else makes libxmlsec1 refuse the signature.
    for transform in (xmlsec.Transform.EXCL_C14N, xmlsec.Transform.SHA256, xmlsec.Transform.RSA_SHA256):
        ctx.enable_signature_transform(transform)
    for transform in (xmlsec.Transform.EXCL_C14N, xmlsec.Transform.SHA256):
        ctx.enable_reference_transform(transform)
    signed = []
    for ref in signature.findall("ds:SignedInfo/ds:Reference", NSMAP):
        node = envelope.xpath("//*[@wsu:Id=$id]", namespaces=NSMAP, id=ref.get("URI")[1:])
        if len(node) != 1:
            raise ValueError(f"reference {ref.get('URI')} resolves to {len(node)} elements")
        ctx.register_id(node[0], "Id", ns.WSU)
        signed.append(node[0].tag)
    ctx.key = xmlsec.Key.from_memory(cert_pem, xmlsec.KeyFormat.CERT_PEM, None)
    ctx.verify(signature)
    return signed


def outcome(fn):
    try:
        return {"valid": True, "result": fn()}
    except Exception as e:  # noqa: BLE001 - any failure is a verdict to report, not a crash
        return {"valid": False, "error": f"{type(e).__name__}: {e}"}


def verify(cmd):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    xml = cmd["xml"].encode("utf-8")
    signature = etree.fromstring(xml, parser).find("soap:Header/wsse:Security/ds:Signature", NSMAP)
    with open(cmd["cert"], "rb") as f:
        expected_der = pem_to_der(f.read())
    token_der, token_pem = token_certificate(etree.fromstring(xml, parser), signature)

    # Each verifier gets its own parse: xmlsec and zeep both work on (and may alter) the tree.
    by_zeep = outcome(lambda: zeep_signature.verify_envelope(etree.fromstring(xml, parser), cmd["cert"]))
    envelope = etree.fromstring(xml, parser)
    sig = envelope.find("soap:Header/wsse:Security/ds:Signature", NSMAP)
    by_xmlsec = outcome(lambda: verify_with_xmlsec(envelope, sig, token_pem))
    signed_info = signature.find("ds:SignedInfo", NSMAP)
    return {
        "zeep": {k: v for k, v in by_zeep.items() if k != "result"},
        "xmlsec": {k: v for k, v in by_xmlsec.items() if k != "result"},
        "signed": by_xmlsec.get("result", []),
        "tokenMatchesCert": token_der == expected_der,
        "c14n": signed_info.find("ds:CanonicalizationMethod", NSMAP).get("Algorithm"),
        "signatureMethod": signed_info.find("ds:SignatureMethod", NSMAP).get("Algorithm"),
        "digestMethods": sorted({d.get("Algorithm") for d in signed_info.findall("ds:Reference/ds:DigestMethod", NSMAP)}),
        "transforms": sorted({t.get("Algorithm") for t in signed_info.findall("ds:Reference/ds:Transforms/ds:Transform", NSMAP)}),
    }


def main():
    cmd = json.load(sys.stdin)
    actions = {"sign": sign, "sign-xml": sign_xml, "verify": verify}
    print(json.dumps(actions[cmd["action"]](cmd)))


if __name__ == "__main__":
    main()
