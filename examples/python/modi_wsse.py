"""ModI ID_AUTH_SOAP_02 (+ INTEGRITY_SOAP_01) per Python zeep: un plugin wsse che firma ogni richiesta e verifica
ogni risposta come chiede la federazione APE sociale / lavoratori precoci (docs/INTEGRAZIONE.md).

Dipende solo da zeep, python-xmlsec e lxml (Debian: python3-zeep, python3-xmlsec), non dal codice del progetto.

Richiesta: wsa:To (l'indirizzo servito) e wsa:MessageID (nuovo a ogni chiamata) con wsu:Id, un wsu:Timestamp (300 s
di validità), il BinarySecurityToken con il certificato della parte, e la firma di zeep (BinarySignature, python-xmlsec)
con RSA-SHA256, o ECDSA-SHA256 se il certificato ha una chiave EC P-256 (il metodo è quello della chiave), digest
SHA-256 ed Exclusive C14N su Body, Timestamp, wsa:To, wsa:MessageID e ogni altro header wsa:* e
com:* presente (Operatore, X-ReplyTo, X-Correlation-ID): un header non firmato è rifiutato con INTESTAZIONE_NON_FIRMATA.

Risposta (con server_cert, il certificato del fornitore): la firma è verificata con quel certificato, deve coprire Body,
Timestamp, wsa:MessageID, wsa:RelatesTo e ogni header com:*, wsa:RelatesTo deve essere il nostro wsa:MessageID (un Fault
inviato prima che il fornitore potesse leggere la richiesta non lo ha), il Timestamp fresco (60 s di tolleranza).
Altrimenti zeep.exceptions.SignatureVerificationFailed: la risposta non va usata.

Uso:
    wsse = ModISignature("chiave.pem", "certificato.pem", "https://host/ape/istruttoria", server_cert="fornitore.pem")
    client = zeep.Client(wsdl, transport=Transport(session=sessione_mtls), wsse=wsse)
"""
import base64
import contextlib
import datetime
import uuid

import xmlsec
from lxml import etree
from lxml.etree import QName
from zeep import ns
from zeep.exceptions import SignatureVerificationFailed
from zeep.wsse import signature as zeep_signature
from zeep.wsse.utils import WSU, ensure_id, get_security_header, get_timestamp

COM = "urn:it:ape-precoci:comune:v1"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
WSA = "http://www.w3.org/2005/08/addressing"
EC = "http://www.w3.org/2001/10/xml-exc-c14n#"
NSMAP = {"soap": SOAP, "wsse": ns.WSSE, "wsu": ns.WSU, "ds": ns.DS, "wsa": WSA}
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
# OID 1.2.840.10045.2.1 (id-ecPublicKey), DER-encoded: in a certificate it occurs only in SubjectPublicKeyInfo.
ID_EC_PUBLIC_KEY = bytes.fromhex("06072a8648ce3d0201")


def metodo_firma(cert_path):
    """The signature method a certificate's key implies (docs/INTEGRAZIONE.md, "Algoritmo di firma"): ECDSA-SHA256
    for an EC key, RSA-SHA256 otherwise. Only P-256 and RSA of at least 2048 bits are admitted: the other side refuses
    the rest."""
    with open(cert_path, "rb") as f:
        pem = f.read().decode("ascii")
    der = base64.b64decode("".join(line for line in pem.splitlines() if line and not line.startswith("-----")))
    return ECDSA_SHA256 if ID_EC_PUBLIC_KEY in der else RSA_SHA256


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

    def __init__(self, key, cert, to, message_id=None, created_offset_seconds=0, ttl_seconds=300, algorithms="auto", inclusive_prefixes=(), server_cert=None):
        self.key, self.cert, self.to, self.message_id = key, cert, to, message_id
        self.server_cert, self.sent_message_id = server_cert, None
        # What each verified response's signature covered (local names), for the caller to report.
        self.verified = []
        self.created_offset_seconds, self.ttl_seconds = created_offset_seconds, ttl_seconds
        self.algorithms, self.inclusive_prefixes = algorithms, list(inclusive_prefixes)

    def apply(self, envelope, headers):
        security = get_security_header(envelope)
        header = envelope.find(QName(SOAP, "Header"))
        # zeep adds wsa:Action, wsa:MessageID and wsa:To itself when the WSDL declares wsam:Action (the federation's
        # do): those are reused, wsa:To set to the served address; otherwise they are added here.
        def wsa_header(local):
            found = header.find(QName(WSA, local))
            return found if found is not None else etree.SubElement(header, QName(WSA, local), nsmap={"wsa": WSA})

        to = wsa_header("To")
        to.text = self.to
        message_id = wsa_header("MessageID")
        message_id.text = self.message_id or message_id.text or f"urn:uuid:{uuid.uuid4()}"
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

        # "auto": the method of the certificate's key (INTEGRAZIONE.md); "sha256" / "ecdsa-sha256" force one (tests).
        algorithms = self.algorithms
        if algorithms == "auto":
            algorithms = "ecdsa-sha256" if metodo_firma(self.cert) == ECDSA_SHA256 else "sha256"
        if algorithms == "sha256":
            signer = zeep_signature.BinarySignature(self.key, self.cert, signature_method=xmlsec.Transform.RSA_SHA256, digest_method=xmlsec.Transform.SHA256)
        elif algorithms == "ecdsa-sha256":
            signer = zeep_signature.BinarySignature(self.key, self.cert, signature_method=xmlsec.Transform.ECDSA_SHA256, digest_method=xmlsec.Transform.SHA256)
        else:
            signer = zeep_signature.BinarySignature(self.key, self.cert)  # zeep's defaults: RSA-SHA1, SHA1
        with also_signing([to, message_id, *acted], self.inclusive_prefixes):
            return signer.apply(envelope, headers)

    def verify(self, envelope):
        """The provider's signature on its response (ModI ID_AUTH_SOAP_02 on the response): zeep's own
        verify_envelope (python-xmlsec) with the provider's certificate, then what zeep leaves to the caller: that the
        signature covers the very elements zeep will read (the envelope's one soap:Body, the one wsu:Timestamp of
        wsse:Security, every wsa:* header (MessageID, RelatesTo, Action) and every com:* header as direct children of
        soap:Header: a signed
        element moved elsewhere and replaced by a forged one, signature wrapping, is refused), wsa:RelatesTo naming our
        wsa:MessageID (a Fault sent before the provider could read the request has none), the Timestamp fresh (60 s of
        clock skew). Any failure is SignatureVerificationFailed: the response must not be used."""
        if self.server_cert is None:
            return envelope
        try:
            signed = self._verify(envelope)
        except SignatureVerificationFailed:
            raise
        except Exception as e:  # noqa: BLE001 - a response that cannot be checked is not trusted, whatever failed
            raise SignatureVerificationFailed(f"{type(e).__name__}: {e}") from e
        self.verified.append(sorted(signed))
        return envelope

    def _verify(self, envelope):
        def one(parent, path, what):
            found = parent.findall(path, NSMAP)
            if len(found) != 1:
                raise SignatureVerificationFailed(f"the response must have exactly one {what}, it has {len(found)}")
            return found[0]

        def count(tag):
            return sum(1 for _ in envelope.iter(tag))

        if QName(envelope).text != f"{{{SOAP}}}Envelope":
            raise SignatureVerificationFailed("the response is not a SOAP 1.1 Envelope")
        header = one(envelope, "soap:Header", "soap:Header")
        body = one(envelope, "soap:Body", "soap:Body")
        security = one(header, "wsse:Security", "wsse:Security")
        signature = one(security, "ds:Signature", "ds:Signature")
        timestamp = one(security, "wsu:Timestamp", "wsu:Timestamp")
        for tag, what in ((f"{{{SOAP}}}Body", "soap:Body"), (f"{{{SOAP}}}Header", "soap:Header"), (QName(ns.DS, "Signature").text, "ds:Signature"), (QName(ns.WSU, "Timestamp").text, "wsu:Timestamp")):
            if count(tag) != 1:
                raise SignatureVerificationFailed(f"{what} occurs {count(tag)} times in the response")
        method = signature.find("ds:SignedInfo/ds:SignatureMethod", NSMAP)
        expected = metodo_firma(self.server_cert)
        if method is None or method.get("Algorithm") != expected:
            raise SignatureVerificationFailed(f"the response's signature method is not {expected}, the one its provider's key implies")
        zeep_signature.verify_envelope(envelope, self.server_cert)

        referenced = []
        for ref in signature.findall("ds:SignedInfo/ds:Reference", NSMAP):
            nodes = envelope.xpath("//*[@wsu:Id=$id]", namespaces=NSMAP, id=(ref.get("URI") or "")[1:])
            if len(nodes) != 1:
                raise SignatureVerificationFailed(f"reference {ref.get('URI')} resolves to {len(nodes)} elements")
            referenced.append(nodes[0])

        def covered(node):
            return any(node is r for r in referenced)

        blocks = [h for h in header if isinstance(h.tag, str)]
        message_id = [h for h in blocks if h.tag == f"{{{WSA}}}MessageID"]
        relates_to = [h for h in blocks if h.tag == f"{{{WSA}}}RelatesTo"]
        if len(message_id) != 1 or len(relates_to) > 1:
            raise SignatureVerificationFailed("the response must have one wsa:MessageID and at most one wsa:RelatesTo in soap:Header")
        is_fault = body.find("soap:Fault", NSMAP) is not None
        if not relates_to and not is_fault:
            raise SignatureVerificationFailed("an answer without wsa:RelatesTo does not answer our request")
        required = {"Body": body, "Timestamp": timestamp, "MessageID": message_id[0]}
        if relates_to:
            required["RelatesTo"] = relates_to[0]
        for h in blocks:
            if QName(h).namespace in (COM, WSA):
                required[QName(h).localname] = h
        missing = sorted(name for name, node in required.items() if not covered(node))
        if missing:
            raise SignatureVerificationFailed(f"the response's signature does not cover {missing} (as they are in the message)")
        if relates_to and relates_to[0].text != self.sent_message_id:
            raise SignatureVerificationFailed(f"wsa:RelatesTo {relates_to[0].text} is not our wsa:MessageID {self.sent_message_id}")
        now = datetime.datetime.now(datetime.timezone.utc)
        skew = datetime.timedelta(seconds=60)
        created, expires = (datetime.datetime.fromisoformat(one(timestamp, f"wsu:{t}", f"wsu:{t}").text.replace("Z", "+00:00")) for t in ("Created", "Expires"))
        if created > now + skew or expires < now - skew:
            raise SignatureVerificationFailed(f"stale response: created {created}, expires {expires}")
        if expires - created > datetime.timedelta(seconds=900):
            raise SignatureVerificationFailed(f"the response's Timestamp is valid for {expires - created}, more than 900 s")
        return required
