package esempio;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.apache.xml.security.c14n.Canonicalizer;
import org.apache.xml.security.signature.XMLSignature;
import org.apache.xml.security.transforms.Transforms;
import org.apache.xml.security.transforms.params.InclusiveNamespaces;
import org.apache.xml.security.algorithms.MessageDigestAlgorithm;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * WS-Security 1.0 X.509 come ModI ID_AUTH_SOAP_02 + INTEGRITY_SOAP_01 (docs/INTEGRAZIONE.md, "Firma dei messaggi"),
 * con l'API XMLSignature di Apache Santuario: nel wsse:Security un wsu:Timestamp e il certificato come
 * BinarySecurityToken; una ds:Signature (Exclusive C14N, RSA-SHA256 o, con una chiave EC P-256, ECDSA-SHA256, digest SHA-256, unica trasformazione Exclusive
 * C14N) con un ds:Reference per soap:Body, wsu:Timestamp e OGNI header wsa:* e com:* (To, MessageID, Action,
 * Operatore...): un header che il destinatario usa e che non è firmato viene rifiutato (INTESTAZIONE_NON_FIRMATA).
 * KeyInfo è un wsse:SecurityTokenReference con riferimento diretto al token (in WSS4J: DirectReference).
 */
final class FirmaRichiesta {
    private FirmaRichiesta() {}

    /**
     * Firma la busta sul posto. validita: Expires - Created, al massimo 900 s. prefixList: null, o la PrefixList di un
     * ec:InclusiveNamespaces da mettere sotto ogni Exclusive C14N (SignedInfo e ogni Reference), come WSS4J (CXF,
     * GovWay) la scrive da sé: "#default" quando un antenato dichiara un namespace predefinito.
     */
    static List<String> firma(Document doc, PrivateKey chiave, X509Certificate certificato, Instant adesso, Duration validita, String prefixList) throws Exception {
        Element envelope = doc.getDocumentElement();
        Element header = Xml.unico(envelope, Xml.SOAP, "Header");
        Element body = Xml.unico(envelope, Xml.SOAP, "Body");
        Element security = Xml.unico(header, Xml.WSSE, "Security");

        Element timestamp = Xml.el(doc, Xml.WSU, "wsu", "Timestamp");
        Instant created = adesso.truncatedTo(ChronoUnit.MILLIS);
        Xml.testo(timestamp, "Created", created.toString());
        Xml.testo(timestamp, "Expires", created.plus(validita).toString());
        security.appendChild(timestamp);

        Element token = Xml.el(doc, Xml.WSSE, "wsse", "BinarySecurityToken");
        token.setAttribute("ValueType", Xml.X509V3);
        token.setAttribute("EncodingType", Xml.BASE64);
        token.setTextContent(Base64.getEncoder().encodeToString(certificato.getEncoded()));
        String tokenId = conId(token, "X509");
        security.appendChild(token);

        // Le parti firmate: ogni header del contratto o di WS-Addressing, il Timestamp, il Body.
        List<Element> parti = new ArrayList<>();
        parti.add(timestamp);
        for (Element h : Xml.figli(header)) {
            if (Xml.WSA.equals(h.getNamespaceURI()) || Xml.COM.equals(h.getNamespaceURI())) parti.add(h);
        }
        parti.add(body);

        // Il metodo è quello della chiave (docs/INTEGRAZIONE.md, Algoritmo di firma): RSA-SHA256, o ECDSA-SHA256 con una chiave EC P-256.
        String metodoFirma = "EC".equals(chiave.getAlgorithm()) ? XMLSignature.ALGO_ID_SIGNATURE_ECDSA_SHA256 : XMLSignature.ALGO_ID_SIGNATURE_RSA_SHA256;
        XMLSignature firma = new XMLSignature(doc, null, metodoFirma, Canonicalizer.ALGO_ID_C14N_EXCL_OMIT_COMMENTS);
        security.appendChild(firma.getElement());
        if (prefixList != null) {
            // Santuario legge la PrefixList della SignedInfo dal suo ds:CanonicalizationMethod al momento di firmare.
            Element metodo = Xml.unico(firma.getSignedInfo().getElement(), Xml.DS, "CanonicalizationMethod");
            metodo.appendChild(new InclusiveNamespaces(doc, prefixList).getElement());
        }
        List<String> firmate = new ArrayList<>();
        for (Element parte : parti) {
            Transforms trasformazioni = new Transforms(doc);
            if (prefixList == null) trasformazioni.addTransform(Transforms.TRANSFORM_C14N_EXCL_OMIT_COMMENTS);
            else trasformazioni.addTransform(Transforms.TRANSFORM_C14N_EXCL_OMIT_COMMENTS, new InclusiveNamespaces(doc, prefixList).getElement());
            firma.addDocument("#" + conId(parte, parte.getLocalName()), trasformazioni, MessageDigestAlgorithm.ALGO_ID_DIGEST_SHA256);
            firmate.add(parte.getLocalName());
        }

        Element str = Xml.el(doc, Xml.WSSE, "wsse", "SecurityTokenReference");
        Element riferimento = Xml.figlio(str, "Reference");
        riferimento.setAttribute("URI", "#" + tokenId);
        riferimento.setAttribute("ValueType", Xml.X509V3);
        firma.getKeyInfo().addUnknownElement(str);

        firma.sign(chiave);
        return firmate;
    }

    /**
     * Il wsu:Id dell'elemento (ne crea uno se manca), registrato come attributo ID del DOM: è così che Santuario
     * risolve i riferimenti "#id".
     */
    static String conId(Element e, String prefisso) {
        String id = e.getAttributeNS(Xml.WSU, "Id");
        if (id.isEmpty()) {
            id = prefisso + "-" + UUID.randomUUID();
            e.setAttributeNS(Xml.XMLNS, "xmlns:wsu", Xml.WSU);
            e.setAttributeNS(Xml.WSU, "wsu:Id", id);
        }
        e.setIdAttributeNS(Xml.WSU, "Id", true);
        return id;
    }
}
