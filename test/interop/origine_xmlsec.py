#!/usr/bin/env python3
"""INPS's origin signature verified by an independent stack: python-xmlsec (libxmlsec1), as a party whose SOAP stack
is not the project's would verify it, from the contract alone (wsdl/xsd/pacchetto.xsd, group FirmaOrigine).

Reads a JSON command on stdin and prints a JSON result on stdout:
  {"action": "verify", "xml": "<soap:Envelope ...>", "cert": path}
      The Body's payload element is located by position, its Id registered as an ID, and its enveloped ds:Signature
      verified by libxmlsec1 with only enveloped-signature, exclusive C14N, SHA-256 and RSA-SHA256 enabled, with the
      key taken from ds:X509Certificate.
      -> {"valid": bool, "error"?, "certMatches": bool, "reference": "#...", "payloadId": "..."}
  {"action": "sign", "xml": "<soap:Envelope ...>", "key": path, "cert": path, "id": "..."}
      The Body's payload element gets the Id and an enveloped signature made by libxmlsec1 from a template (the same
      profile), as another implementation of INPS's dispatcher would make it.
      -> {"xml": "<soap:Envelope ...>"}
"""
import base64
import json
import sys

import xmlsec
from lxml import etree

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
DS = "http://www.w3.org/2000/09/xmldsig#"
NSMAP = {"soap": SOAP, "ds": DS}


def pem_to_der(pem_bytes):
    lines = [line for line in pem_bytes.decode("ascii").splitlines() if line and not line.startswith("-----")]
    return base64.b64decode("".join(lines))


def sign(cmd):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    envelope = etree.fromstring(cmd["xml"].encode("utf-8"), parser)
    payload = envelope.find("soap:Body", NSMAP)[0]
    payload.set("Id", cmd["id"])
    signature = xmlsec.template.create(payload, xmlsec.Transform.EXCL_C14N, xmlsec.Transform.RSA_SHA256, ns="ds")
    ref = xmlsec.template.add_reference(signature, xmlsec.Transform.SHA256, uri=f"#{cmd['id']}")
    xmlsec.template.add_transform(ref, xmlsec.Transform.ENVELOPED)
    xmlsec.template.add_transform(ref, xmlsec.Transform.EXCL_C14N)
    x509 = xmlsec.template.add_x509_data(xmlsec.template.ensure_key_info(signature))
    xmlsec.template.x509_data_add_certificate(x509)
    payload.append(signature)
    ctx = xmlsec.SignatureContext()
    ctx.register_id(payload, "Id")
    key = xmlsec.Key.from_file(cmd["key"], xmlsec.KeyFormat.PEM, None)
    key.load_cert_from_file(cmd["cert"], xmlsec.KeyFormat.PEM)
    ctx.key = key
    ctx.sign(signature)
    return {"xml": etree.tostring(envelope, encoding="unicode")}


def verify(cmd):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    envelope = etree.fromstring(cmd["xml"].encode("utf-8"), parser)
    payload = envelope.find("soap:Body", NSMAP)[0]
    signature = payload[-1]
    token = signature.find("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NSMAP)
    der = base64.b64decode("".join(token.text.split()))
    with open(cmd["cert"], "rb") as f:
        expected = pem_to_der(f.read())
    out = {"certMatches": der == expected, "reference": signature.find("ds:SignedInfo/ds:Reference", NSMAP).get("URI"), "payloadId": payload.get("Id")}
    ctx = xmlsec.SignatureContext()
    for transform in (xmlsec.Transform.EXCL_C14N, xmlsec.Transform.SHA256, xmlsec.Transform.RSA_SHA256):
        ctx.enable_signature_transform(transform)
    for transform in (xmlsec.Transform.ENVELOPED, xmlsec.Transform.EXCL_C14N, xmlsec.Transform.SHA256):
        ctx.enable_reference_transform(transform)
    ctx.register_id(payload, "Id")
    b64 = base64.encodebytes(der).decode("ascii")
    ctx.key = xmlsec.Key.from_memory(f"-----BEGIN CERTIFICATE-----\n{b64}-----END CERTIFICATE-----\n".encode("ascii"), xmlsec.KeyFormat.CERT_PEM, None)
    try:
        ctx.verify(signature)
        out["valid"] = True
    except Exception as e:  # noqa: BLE001 - any failure is a verdict to report, not a crash
        out["valid"] = False
        out["error"] = f"{type(e).__name__}: {e}"
    return out


def main():
    cmd = json.load(sys.stdin)
    print(json.dumps({"sign": sign, "verify": verify}[cmd["action"]](cmd)))


if __name__ == "__main__":
    main()
