#!/usr/bin/env python3
"""An independent SOAP stack (Python zeep) consuming the federation's WSDL files unchanged.

Reads a JSON command on stdin and prints a JSON result on stdout:
  {"action": "describe", "wsdl": path}
  {"action": "call", "wsdl": path, "address": url, "operation": name, "args": {...},
   "headers": {"Operatore": {...}, "X-ReplyTo": "...", "X-Correlation-ID": "..."},
   "tls": {"cert": path, "key": path, "ca": path, "server": path}, "firma": true, "corpo": "<pac:VerificaPacchetto ...>"}
  With "firma" (the default) each request is signed as ModI ID_AUTH_SOAP_02 asks (wsse_zeep.ModISignature), and
  each response, ack or Fault, is verified with the provider's certificate (tls.server) before zeep reads it; what
  the verified signatures covered is printed as "verified" (one list per response).
  With "corpo", the Body's payload is that element as given (a payload INPS signed, forwarded unchanged by the hub),
  in place of the one zeep builds from "args"; WS-Security then signs the Body as usual.
A SOAP Fault is printed as {"fault": {"code": ..., "message": ..., "detail": {...}}}; a response whose signature
does not verify as {"signatureError": "..."}.
"""
import json
import sys

import requests
from lxml import etree
import zeep
from zeep.exceptions import Fault, SignatureVerificationFailed
from zeep.plugins import Plugin
from zeep.helpers import serialize_object
from zeep.transports import Transport

from wsse_zeep import ModISignature

COM = "urn:it:ape-precoci:comune:v1"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


class CorpoInoltrato(Plugin):
    """What a hub does with a payload its author signed: forwards the element as it is. zeep builds the request from
    the WSDL, then the Body's content is replaced, before the WS-Security plugin signs the Body."""

    def __init__(self, xml):
        self.element = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))

    def egress(self, envelope, http_headers, operation, binding_options):
        body = envelope.find(f"{{{SOAP}}}Body")
        for child in list(body):
            body.remove(child)
        body.append(self.element)
        return envelope, http_headers


def describe(wsdl_path):
    client = zeep.Client(wsdl_path)
    out = {}
    for service in client.wsdl.services.values():
        for port in service.ports.values():
            ops = {}
            for name, op in port.binding._operations.items():
                ops[name] = {
                    "soapAction": op.soapaction,
                    "input_headers": sorted(str(name) for name, _el in op.input.header.type.elements) if op.input.header and op.input.header.type else [],
                    "input_body": str(op.input.body.qname) if op.input.body is not None else None,
                }
            out[f"{service.name}/{port.name}"] = ops
    return out


def call(cmd):
    session = requests.Session()
    # The federation CA only: ignore REQUESTS_CA_BUNDLE and friends from the environment.
    session.trust_env = False
    session.cert = (cmd["tls"]["cert"], cmd["tls"]["key"])
    session.verify = cmd["tls"]["ca"]
    wsse = ModISignature(cmd["tls"]["key"], cmd["tls"]["cert"], cmd["address"], server_cert=cmd["tls"].get("server")) if cmd.get("firma", True) else None
    plugins = [CorpoInoltrato(cmd["corpo"])] if cmd.get("corpo") else []
    client = zeep.Client(cmd["wsdl"], transport=Transport(session=session), wsse=wsse, plugins=plugins)
    binding = next(iter(next(iter(client.wsdl.services.values())).ports.values())).binding
    service = client.create_service(binding.name, cmd["address"])
    headers = []
    for name, value in cmd.get("headers", {}).items():
        if isinstance(value, dict):
            headers.append(client.get_element(f"{{{COM}}}{name}")(**value))
        else:
            # zeep renders simple-typed header elements only as lxml elements.
            element = etree.Element(f"{{{COM}}}{name}", nsmap={"com": COM})
            element.text = value
            headers.append(element)
    verified = {"verified": wsse.verified} if wsse and wsse.server_cert else {}
    try:
        result = getattr(service, cmd["operation"])(**cmd["args"], _soapheaders=headers)
    except SignatureVerificationFailed as e:
        return {"signatureError": str(e) or "SignatureVerificationFailed", **verified}
    except Fault as f:
        detail = {}
        if f.detail is not None:
            for el in f.detail.iter():
                if el.text and el.text.strip():
                    detail[el.tag.split("}")[-1]] = el.text.strip()
        return {"fault": {"code": f.code, "message": f.message, "detail": detail}, **verified}
    return {"result": json.loads(json.dumps(serialize_object(result), default=str)), **verified}


def main():
    cmd = json.load(sys.stdin)
    if cmd["action"] == "describe":
        print(json.dumps(describe(cmd["wsdl"])))
    else:
        print(json.dumps(call(cmd)))


if __name__ == "__main__":
    main()
