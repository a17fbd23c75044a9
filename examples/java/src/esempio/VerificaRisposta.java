package esempio;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.xml.security.c14n.Canonicalizer;
import org.apache.xml.security.signature.Reference;
import org.apache.xml.security.signature.SignedInfo;
import org.apache.xml.security.signature.XMLSignature;
import org.apache.xml.security.transforms.Transforms;
import org.apache.xml.security.algorithms.MessageDigestAlgorithm;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * La firma del fornitore sulla sua risposta, ack o Fault (docs/INTEGRAZIONE.md, "Firma delle risposte"), verificata
 * con Apache Santuario prima di leggere qualunque cosa del Body:
 * 1. la ds:Signature (nel wsse:Security) è valida e ne copre con un ds:Reference ciascuno: soap:Body, wsu:Timestamp,
 *    wsa:MessageID, wsa:RelatesTo (assente solo in un Fault mandato prima che la richiesta fosse letta) e ogni
 *    header com:*; ogni parte è proprio l'elemento che poi si legge (niente "signature wrapping");
 * 2. solo Exclusive C14N, SHA-256, RSA-SHA256 o ECDSA-SHA256 (quello della chiave del certificato); la chiave è il BinarySecurityToken, per riferimento diretto;
 * 3. il certificato del token è emesso dalla CA della federazione, valido ora, ed è quello del fornitore: lo stesso
 *    che il suo server TLS ha presentato e, se dato, quello atteso (--certificato-fornitore);
 * 4. il Timestamp è fresco (60 s di tolleranza, validità al massimo 900 s);
 * 5. wsa:RelatesTo è il wsa:MessageID della nostra richiesta.
 */
final class VerificaRisposta {
    private static final Duration TOLLERANZA = Duration.ofSeconds(60);
    private static final Duration VALIDITA_MASSIMA = Duration.ofSeconds(900);

    /** Rifiuto della risposta: il motivo dice quale controllo non è passato. */
    static final class RispostaNonValida extends Exception {
        private static final long serialVersionUID = 1L;

        RispostaNonValida(String motivo) {
            super(motivo);
        }

        RispostaNonValida(String motivo, Throwable causa) {
            super(motivo, causa);
        }
    }

    /** Cosa la verifica ha accertato: le parti firmate (nomi locali) e chi ha firmato. */
    record Esito(List<String> parti, X509Certificate certificato, String relatesTo, Element body) {}

    /** Quale certificato deve aver firmato: emesso da ca; uguale al certificato TLS del server e/o a quello atteso, se dati. */
    record Attese(String messageIdRichiesta, X509Certificate ca, X509Certificate certificatoTls, X509Certificate certificatoAtteso, Instant adesso) {}

    static Esito verifica(Document doc, Attese attese) throws RispostaNonValida {
        try {
            return verificaOrFail(doc, attese);
        } catch (RispostaNonValida e) {
            throw e;
        } catch (Exception e) {
            throw new RispostaNonValida("busta non valida: " + e.getMessage(), e);
        }
    }

    private static Esito verificaOrFail(Document doc, Attese attese) throws Exception {
        Element envelope = doc.getDocumentElement();
        if (!Xml.is(envelope, Xml.SOAP, "Envelope")) throw new RispostaNonValida("non è una busta SOAP 1.1");
        Element header = Xml.facoltativo(envelope, Xml.SOAP, "Header");
        Element security = header == null ? null : Xml.facoltativo(header, Xml.WSSE, "Security");
        if (security == null) throw new RispostaNonValida("risposta non firmata: manca wsse:Security");
        Element body = Xml.unico(envelope, Xml.SOAP, "Body");
        Element firmaEl = Xml.unico(security, Xml.DS, "Signature");
        Element timestamp = Xml.unico(security, Xml.WSU, "Timestamp");
        Xml.unico(header, Xml.WSA, "MessageID");
        Element relatesTo = Xml.facoltativo(header, Xml.WSA, "RelatesTo");

        Map<String, Element> perId = registraId(doc);
        XMLSignature firma = new XMLSignature(firmaEl, null, true);
        SignedInfo si = firma.getSignedInfo();
        if (!Canonicalizer.ALGO_ID_C14N_EXCL_OMIT_COMMENTS.equals(si.getCanonicalizationMethodURI())) throw new RispostaNonValida("canonicalizzazione non ammessa: " + si.getCanonicalizationMethodURI());
        String metodo = si.getSignatureMethodURI();
        if (!XMLSignature.ALGO_ID_SIGNATURE_RSA_SHA256.equals(metodo) && !XMLSignature.ALGO_ID_SIGNATURE_ECDSA_SHA256.equals(metodo)) throw new RispostaNonValida("algoritmo di firma non ammesso: " + metodo);

        // Ogni Reference punta per wsu:Id a un elemento che compare una volta sola: quello che leggiamo.
        Map<String, Element> firmate = new HashMap<>();
        for (int i = 0; i < si.getLength(); i++) {
            Reference ref = si.item(i);
            if (!MessageDigestAlgorithm.ALGO_ID_DIGEST_SHA256.equals(ref.getMessageDigestAlgorithm().getAlgorithmURI())) throw new RispostaNonValida("digest non ammesso: " + ref.getMessageDigestAlgorithm().getAlgorithmURI());
            Transforms t = ref.getTransforms();
            if (t == null || t.getLength() != 1 || !Transforms.TRANSFORM_C14N_EXCL_OMIT_COMMENTS.equals(t.item(0).getURI())) throw new RispostaNonValida("trasformazioni non ammesse nel riferimento " + ref.getURI());
            String uri = ref.getURI();
            Element parte = uri != null && uri.startsWith("#") ? perId.get(uri.substring(1)) : null;
            if (parte == null) throw new RispostaNonValida("riferimento non risolto: " + uri);
            firmate.put(parte.getLocalName(), parte);
        }
        richiedi(firmate, "Body", body);
        richiedi(firmate, "Timestamp", timestamp);
        for (Element h : Xml.figli(header)) {
            boolean indirizzo = Xml.WSA.equals(h.getNamespaceURI()) && Set.of("MessageID", "RelatesTo").contains(h.getLocalName());
            if (indirizzo || Xml.COM.equals(h.getNamespaceURI())) richiedi(firmate, h.getLocalName(), h);
        }
        boolean fault = Xml.facoltativo(body, Xml.SOAP, "Fault") != null;
        if (relatesTo == null && !fault) throw new RispostaNonValida("un ack senza wsa:RelatesTo non risponde alla nostra chiamata");

        X509Certificate certificato = certificatoDelToken(doc, firma, perId);
        // Il metodo dev'essere quello della chiave del certificato: nessun messaggio sceglie come essere verificato.
        String atteso = "EC".equals(certificato.getPublicKey().getAlgorithm()) ? XMLSignature.ALGO_ID_SIGNATURE_ECDSA_SHA256 : XMLSignature.ALGO_ID_SIGNATURE_RSA_SHA256;
        if (!atteso.equals(metodo)) throw new RispostaNonValida("algoritmo di firma " + metodo + " diverso da quello della chiave del certificato (" + atteso + ")");
        if (!firma.checkSignatureValue(certificato.getPublicKey())) throw new RispostaNonValida("firma non valida (valore o digest non corrispondono)");
        controllaCertificato(certificato, attese);
        controllaTimestamp(timestamp, attese.adesso());
        String relates = relatesTo == null ? null : relatesTo.getTextContent();
        if (relates != null && !relates.equals(attese.messageIdRichiesta())) throw new RispostaNonValida("wsa:RelatesTo " + relates + " non è il nostro wsa:MessageID " + attese.messageIdRichiesta());
        List<String> parti = new ArrayList<>(new TreeSet<>(firmate.keySet()));
        return new Esito(parti, certificato, relates, body);
    }

    /** Registra ogni wsu:Id come ID del DOM; un identificativo ripetuto renderebbe ambiguo un riferimento. */
    private static Map<String, Element> registraId(Document doc) throws RispostaNonValida {
        Map<String, Element> perId = new HashMap<>();
        NodeList tutti = doc.getElementsByTagNameNS("*", "*");
        for (int i = 0; i < tutti.getLength(); i++) {
            Element e = (Element) tutti.item(i);
            if (!e.hasAttributeNS(Xml.WSU, "Id")) continue;
            String id = e.getAttributeNS(Xml.WSU, "Id");
            if (perId.put(id, e) != null) throw new RispostaNonValida("wsu:Id ripetuto: " + id);
            e.setIdAttributeNS(Xml.WSU, "Id", true);
        }
        return perId;
    }

    private static void richiedi(Map<String, Element> firmate, String nome, Element atteso) throws RispostaNonValida {
        if (firmate.get(nome) != atteso) throw new RispostaNonValida("la firma non copre " + nome);
    }

    /** KeyInfo: solo wsse:SecurityTokenReference/wsse:Reference al BinarySecurityToken X509v3. */
    private static X509Certificate certificatoDelToken(Document doc, XMLSignature firma, Map<String, Element> perId) throws Exception {
        Element keyInfo = firma.getKeyInfo() == null ? null : firma.getKeyInfo().getElement();
        if (keyInfo == null) throw new RispostaNonValida("manca ds:KeyInfo");
        Element str = Xml.unico(keyInfo, Xml.WSSE, "SecurityTokenReference");
        String uri = Xml.unico(str, Xml.WSSE, "Reference").getAttribute("URI");
        Element token = uri.startsWith("#") ? perId.get(uri.substring(1)) : null;
        if (!Xml.is(token, Xml.WSSE, "BinarySecurityToken") || !Xml.X509V3.equals(token.getAttribute("ValueType"))) throw new RispostaNonValida("il riferimento della chiave non è un BinarySecurityToken X509v3: " + uri);
        byte[] der = Base64.getMimeDecoder().decode(token.getTextContent());
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    private static void controllaCertificato(X509Certificate c, Attese attese) throws RispostaNonValida {
        try {
            c.verify(attese.ca().getPublicKey());
            c.checkValidity(java.util.Date.from(attese.adesso()));
        } catch (Exception e) {
            throw new RispostaNonValida("certificato di firma non emesso dalla CA della federazione o non valido: " + e.getMessage(), e);
        }
        if (attese.certificatoTls() != null && !c.equals(attese.certificatoTls())) throw new RispostaNonValida("il certificato di firma non è quello del server TLS: " + c.getSubjectX500Principal());
        if (attese.certificatoAtteso() != null && !c.equals(attese.certificatoAtteso())) throw new RispostaNonValida("il certificato di firma non è quello atteso del fornitore: " + c.getSubjectX500Principal());
    }

    private static void controllaTimestamp(Element timestamp, Instant adesso) throws RispostaNonValida {
        Instant created = OffsetDateTime.parse(Xml.unico(timestamp, Xml.WSU, "Created").getTextContent().trim()).toInstant();
        Instant expires = OffsetDateTime.parse(Xml.unico(timestamp, Xml.WSU, "Expires").getTextContent().trim()).toInstant();
        if (created.isAfter(adesso.plus(TOLLERANZA))) throw new RispostaNonValida("Timestamp nel futuro: " + created);
        if (expires.isBefore(adesso.minus(TOLLERANZA))) throw new RispostaNonValida("Timestamp scaduto: " + expires);
        if (Duration.between(created, expires).compareTo(VALIDITA_MASSIMA) > 0) throw new RispostaNonValida("Timestamp valido più di 900 s");
    }
}
