#!/usr/bin/env python3
"""WS-Security interoperability with an independent stack: Python zeep's signer and python-xmlsec (libxmlsec1).

Reads a JSON command on stdin and prints a JSON result on stdout:
  {"action": "sign", "wsdl": path, "operation": name, "args": {...}, "headers": {"Operatore": {...}, ...},
   "key": path, "cert": path, "to": url, "messageId": "urn:uuid:...", "createdOffsetSeconds": 0,
   "ttlSeconds": 300, "algorithms": "auto" (the certificate key's method) | "sha256" | "ecdsa-sha256" | "zeep-default", "inclusivePrefixes": ["soap-env", ...]}
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
      C14N, SHA-256, RSA-SHA256 and ECDSA-SHA256 enabled.
      -> {"zeep": {"valid": bool, "error"?}, "xmlsec": {"valid": bool, "error"?}, "tokenMatchesCert": bool,
          "signed": ["{ns}local", ...], "c14n": uri, "signatureMethod": uri, "digestMethods": [uri], "transforms": [uri]}
"""
import base64
import json
import os
import sys

import requests
import xmlsec
import zeep
from lxml import etree
from zeep import ns
from zeep.transports import Transport
from zeep.wsse import signature as zeep_signature

# The signing plugin is the one a counterpart's developers get: examples/python/modi_wsse.py (no project code).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "python"))
from modi_wsse import COM, NSMAP, ModISignature  # noqa: E402
from zeep.exceptions import SignatureVerificationFailed  # noqa: E402


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
        ttl_seconds=cmd.get("ttlSeconds", 300), algorithms=cmd.get("algorithms", "auto"), inclusive_prefixes=cmd.get("inclusivePrefixes", []),
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
    for transform in (xmlsec.Transform.EXCL_C14N, xmlsec.Transform.SHA256, xmlsec.Transform.RSA_SHA256, xmlsec.Transform.ECDSA_SHA256):
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


def verify_response(cmd):
    """The example plugin's own check of a response (examples/python/modi_wsse.py ModISignature.verify), as zeep
    runs it before reading a response to a request whose wsa:MessageID was sentMessageId."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    plugin = ModISignature(None, None, None, server_cert=cmd["cert"])
    plugin.sent_message_id = cmd["sentMessageId"]
    try:
        plugin.verify(etree.fromstring(cmd["xml"].encode("utf-8"), parser))
    except SignatureVerificationFailed as e:
        return {"valid": False, "error": str(e)}
    return {"valid": True, "verified": plugin.verified[-1]}


def main():
    cmd = json.load(sys.stdin)
    actions = {"sign": sign, "sign-xml": sign_xml, "verify": verify, "verify-response": verify_response}
    print(json.dumps(actions[cmd["action"]](cmd)))


if __name__ == "__main__":
    main()
