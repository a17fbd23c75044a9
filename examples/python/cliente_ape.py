#!/usr/bin/env python3
"""Cliente di esempio del servizio InpsIstruttoria della federazione APE sociale / lavoratori precoci, per il sistema
istruttorio di INPS o per chi ne prova l'integrazione: Python zeep, il contratto letto dall'endpoint (GET ?wsdl),
mutua autenticazione TLS e ModI ID_AUTH_SOAP_02 con il plugin modi_wsse.py. Nessun codice del progetto.

    python3 cliente_ape.py --endpoint https://HOST:PORTA/ape/istruttoria \\
        --cert parte.cert.pem --key parte.key.pem --ca ca.cert.pem --cert-fornitore inps.cert.pem \\
        --operatore OP-123 --ufficio "Sede di Roma" \\
        presenta --domanda domanda.json [--presentata-ora]
    python3 cliente_ape.py ... stato --protocollo INPS.2026.000123

Stampa una riga JSON: {"risposta": {...}} oppure {"fault": {"codice", "descrizione", "ritentabile", ...}}, con
"firmaVerificata": le parti che la firma del fornitore copriva. Esce con 0 se la chiamata ha avuto risposta (anche un
Fault), 2 se la firma della risposta non è valida (la risposta non va usata), 1 per altri errori (rete, TLS, WSDL).
"""
import argparse
import datetime
import json
import sys

import requests
import zeep
from lxml import etree
from zeep.exceptions import Fault, SignatureVerificationFailed, TransportError
from zeep.helpers import serialize_object
from zeep.transports import Transport

from modi_wsse import COM, ModISignature


def sessione_mtls(args):
    sessione = requests.Session()
    sessione.trust_env = False  # solo la CA della federazione: niente proxy o CA dall'ambiente
    sessione.cert = (args.cert, args.key)
    sessione.verify = args.ca
    return sessione


def cliente(args):
    """Il WSDL servito dall'endpoint porta il suo soap:address e la WS-SecurityPolicy; gli XSD arrivano dallo stesso
    endpoint, sulla stessa connessione mutual TLS."""
    wsse = ModISignature(args.key, args.cert, args.endpoint, server_cert=args.cert_fornitore)
    client = zeep.Client(f"{args.endpoint}?wsdl", transport=Transport(session=sessione_mtls(args)), wsse=wsse)
    binding = next(iter(next(iter(client.wsdl.services.values())).ports.values())).binding
    return client, client.create_service(binding.name, args.endpoint), wsse


def operatore(client, args):
    """com:Operatore: chi, dietro il sistema chiamante, fa la richiesta (obbligatorio, firmato)."""
    return client.get_element(f"{{{COM}}}Operatore")(IdOperatore=args.operatore, Ufficio=args.ufficio)


def leggi_domanda(args):
    with open(args.domanda, encoding="utf-8") as f:
        domanda = json.load(f)
    if args.presentata_ora:
        # Una domanda di prova presentata adesso: la data non può essere nel futuro né fuori dalla finestra in corso.
        domanda["DataPresentazione"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    return domanda


def fault_in_chiaro(f):
    """Il dettaglio com:ErroreApe del Fault: Codice, Descrizione, Ritentabile (vedi docs/INTEGRAZIONE.md, Codici di errore)."""
    dettaglio = {}
    if f.detail is not None:
        for el in f.detail.iter():
            if isinstance(el.tag, str) and el.text and el.text.strip():
                dettaglio[etree.QName(el).localname] = el.text.strip()
    return {"faultcode": f.code, "codice": dettaglio.get("Codice"), "descrizione": dettaglio.get("Descrizione", f.message), "ritentabile": dettaglio.get("Ritentabile") == "true"}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--endpoint", required=True, help="URL del servizio, es. https://inps.example/ape/istruttoria")
    p.add_argument("--cert", required=True, help="certificato della parte (PEM), per TLS e firma")
    p.add_argument("--key", required=True, help="chiave privata della parte (PEM)")
    p.add_argument("--ca", required=True, help="CA della federazione (PEM)")
    p.add_argument("--cert-fornitore", required=True, help="certificato del fornitore (PEM): le sue risposte devono essere firmate con esso")
    p.add_argument("--operatore", required=True, help="identificativo dell'operatore (com:Operatore/IdOperatore)")
    p.add_argument("--ufficio", required=True, help="ufficio dell'operatore (com:Operatore/Ufficio, obbligatorio)")
    comandi = p.add_subparsers(dest="comando", required=True)
    presenta = comandi.add_parser("presenta", help="PresentaDomanda")
    presenta.add_argument("--domanda", required=True, help="file JSON con gli elementi di ist:PresentaDomanda")
    presenta.add_argument("--presentata-ora", action="store_true", help="DataPresentazione = adesso (per le prove)")
    stato = comandi.add_parser("stato", help="StatoIstruttoria")
    stato.add_argument("--protocollo", required=True)
    args = p.parse_args(argv)

    try:
        client, servizio, wsse = cliente(args)
        intestazioni = [operatore(client, args)]
        try:
            if args.comando == "presenta":
                risposta = servizio.PresentaDomanda(**leggi_domanda(args), _soapheaders=intestazioni)
            else:
                risposta = servizio.StatoIstruttoria(ProtocolloDomanda=args.protocollo, _soapheaders=intestazioni)
            esito = {"risposta": json.loads(json.dumps(serialize_object(risposta), default=str))}
        except Fault as f:
            esito = {"fault": fault_in_chiaro(f)}
        print(json.dumps({**esito, "firmaVerificata": wsse.verified[-1] if wsse.verified else []}, ensure_ascii=False))
        return 0
    except SignatureVerificationFailed as e:
        print(json.dumps({"erroreFirmaRisposta": str(e) or "firma non valida"}, ensure_ascii=False))
        return 2
    except (TransportError, requests.RequestException, OSError) as e:
        print(json.dumps({"errore": f"{type(e).__name__}: {e}"}, ensure_ascii=False))
        return 1


if __name__ == "__main__":
    sys.exit(main())
