package esempio;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * La busta SOAP 1.1 di una richiesta a wsdl/inps-istruttoria.wsdl, come la vuole il contratto: negli header
 * WS-Addressing 1.0 (wsa:To = l'indirizzo servito, wsa:MessageID nuovo a ogni chiamata, wsa:Action = la soapAction
 * del WSDL), com:Operatore (chi ha causato la chiamata) e un wsse:Security che FirmaRichiesta riempie.
 */
final class Richiesta {
    static final String AZIONE_PRESENTA = "urn:it:ape-precoci:istruttoria:v1:PresentaDomanda";
    static final String AZIONE_STATO = "urn:it:ape-precoci:istruttoria:v1:StatoIstruttoria";

    final Document doc;
    final String messageId;
    final String azione;
    private final boolean namespacePredefinito;

    private Richiesta(Document doc, String messageId, String azione, boolean namespacePredefinito) {
        this.doc = doc;
        this.messageId = messageId;
        this.azione = azione;
        this.namespacePredefinito = namespacePredefinito;
    }

    /**
     * Destinatario e operatore della chiamata, e come scrivere la busta. namespacePredefinito: soap:Envelope dichiara il
     * namespace dell'operazione come predefinito (xmlns="urn:it:ape-precoci:istruttoria:v1") e il corpo lo usa senza
     * prefisso, come fanno molti stack; la firma allora porta "#default" nelle PrefixList (vedi FirmaRichiesta).
     */
    record Intestazioni(String to, String idOperatore, String ufficio, boolean namespacePredefinito) {}

    /** La busta con i suoi header e il corpo vuoto: il chiamante aggiunge l'elemento dell'operazione a body(). */
    private static Richiesta nuova(Intestazioni i, String azione) throws Exception {
        Document doc = Xml.nuovo();
        Element envelope = Xml.el(doc, Xml.SOAP, "soap", "Envelope");
        if (i.namespacePredefinito()) envelope.setAttributeNS(Xml.XMLNS, "xmlns", Xml.IST);
        doc.appendChild(envelope);
        Element header = Xml.el(doc, Xml.SOAP, "soap", "Header");
        envelope.appendChild(header);

        Element security = Xml.el(doc, Xml.WSSE, "wsse", "Security");
        security.setAttributeNS(Xml.SOAP, "soap:mustUnderstand", "1");
        header.appendChild(security);

        String messageId = "urn:uuid:" + UUID.randomUUID();
        header.appendChild(indirizzo(doc, "To", i.to()));
        header.appendChild(indirizzo(doc, "MessageID", messageId));
        header.appendChild(indirizzo(doc, "Action", azione));

        Element operatore = Xml.el(doc, Xml.COM, "com", "Operatore");
        Xml.testo(operatore, "IdOperatore", i.idOperatore());
        Xml.testo(operatore, "Ufficio", i.ufficio());
        header.appendChild(operatore);

        envelope.appendChild(Xml.el(doc, Xml.SOAP, "soap", "Body"));
        return new Richiesta(doc, messageId, azione, i.namespacePredefinito());
    }

    Element body() {
        return Xml.unico(doc.getDocumentElement(), Xml.SOAP, "Body");
    }

    /** L'elemento dell'operazione nel Body: ist:Nome, o Nome nel namespace predefinito dichiarato sull'Envelope. */
    private Element operazione(String local) {
        Element op = namespacePredefinito ? doc.createElementNS(Xml.IST, local) : Xml.el(doc, Xml.IST, "ist", local);
        body().appendChild(op);
        return op;
    }

    /** ist:StatoIstruttoria per protocollo della domanda (lo schema ammette in alternativa IdIstruttoria). */
    static Richiesta statoIstruttoria(Intestazioni i, String protocollo) throws Exception {
        Richiesta r = nuova(i, AZIONE_STATO);
        Xml.testo(r.operazione("StatoIstruttoria"), "ProtocolloDomanda", protocollo);
        return r;
    }

    /**
     * ist:PresentaDomanda: se corpo non è null è l'elemento ist:PresentaDomanda preso da un file (importato così
     * com'è, con il suo protocollo); altrimenti una domanda d'esempio con il protocollo dato, quella dei dati
     * dimostrativi di `npm start` (Mario Rossi, APE sociale, operaio edile: ogni archivio conferma ogni dato).
     */
    static Richiesta presentaDomanda(Intestazioni i, String protocollo, Element corpo, Instant adesso) throws Exception {
        Richiesta r = nuova(i, AZIONE_PRESENTA);
        if (corpo != null) {
            if (!Xml.is(corpo, Xml.IST, "PresentaDomanda")) throw new IllegalArgumentException("il file non contiene un ist:PresentaDomanda");
            Element importato = (Element) r.doc.importNode(corpo, true);
            Xml.dichiaraNamespace(importato);
            r.body().appendChild(importato);
            return r;
        }
        Element d = r.operazione("PresentaDomanda");
        Xml.testo(d, "ProtocolloDomanda", protocollo);
        Xml.testo(d, "TipoDomanda", "APE_SOCIALE");
        Xml.testo(d, "DataPresentazione", adesso.truncatedTo(ChronoUnit.MILLIS).toString());
        Xml.testo(d, "DataDecorrenza", "2027-01-01");
        Element richiedente = Xml.figlio(d, "Richiedente");
        Xml.testo(richiedente, "CodiceFiscale", "RSSMRA60A01H501Q");
        Xml.testo(richiedente, "Cognome", "Rossi");
        Xml.testo(richiedente, "Nome", "Mario");
        Xml.testo(richiedente, "DataNascita", "1960-01-01");
        Element attestazione = Xml.figlio(Xml.figlio(d, "Attestazioni"), "Attestazione");
        Xml.testo(attestazione, "Riferimento", "1");
        Xml.testo(attestazione, "TipoAttestazione", "DATORE_PRIVATO_PA");
        Element datore = Xml.figlio(attestazione, "DatoreLavoro");
        Xml.testo(datore, "CodiceFiscale", "01234567897");
        Xml.testo(datore, "Denominazione", "Edilizia Rossi Srl");
        Xml.testo(datore, "MatricolaInps", "1234567890");
        Xml.testo(datore, "PatInail", "12345678");
        Xml.testo(Xml.figlio(attestazione, "Periodo"), "Dal", "2014-01-07");
        Xml.testo(attestazione, "Ccnl", "F012");
        Xml.testo(attestazione, "Livello", "2");
        Xml.testo(attestazione, "Categoria", "A");
        Xml.testo(attestazione, "ProfessioneIstat", "6.1.2.1");
        Xml.testo(Xml.figlio(attestazione, "VociTariffaInail"), "VoceTariffa", "3110");
        return r;
    }

    private static Element indirizzo(Document doc, String local, String value) {
        Element e = Xml.el(doc, Xml.WSA, "wsa", local);
        e.setTextContent(value);
        return e;
    }
}
