package esempio;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.xml.security.utils.XMLUtils;
import org.w3c.dom.Document;
import org.w3c.dom.Attr;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/** Namespace del contratto e di WS-Security, e lettura/scrittura XML sicure (niente DTD, niente entità esterne). */
final class Xml {
    static final String SOAP = "http://schemas.xmlsoap.org/soap/envelope/";
    /** WS-Addressing 1.0: l'unico namespace che la federazione accetta (non 2004/08). */
    static final String WSA = "http://www.w3.org/2005/08/addressing";
    static final String WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    static final String WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
    static final String DS = "http://www.w3.org/2000/09/xmldsig#";
    static final String XMLNS = "http://www.w3.org/2000/xmlns/";
    static final String COM = "urn:it:ape-precoci:comune:v1";
    static final String IST = "urn:it:ape-precoci:istruttoria:v1";
    static final String X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
    static final String BASE64 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";

    private Xml() {}

    static Document parse(byte[] xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setExpandEntityReferences(false);
        f.setXIncludeAware(false);
        DocumentBuilder b = f.newDocumentBuilder();
        return b.parse(new ByteArrayInputStream(xml));
    }

    static Document nuovo() throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().newDocument();
    }

    /**
     * I byte esatti del documento, come Santuario lo ha firmato: la forma "fisica" di Santuario non riordina né
     * aggiunge dichiarazioni di namespace e scrive un ritorno a capo come &#xD; (scritto crudo, chi legge lo
     * leggerebbe come a capo e il digest non tornerebbe più).
     */
    static byte[] serialize(Document doc) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        XMLUtils.outputDOM(doc, out);
        return out.toByteArray();
    }

    /** Un elemento con il prefisso dato, dichiarato su di sé (la forma canonica esclusiva lo ritrova sempre). */
    static Element el(Document doc, String ns, String prefix, String local) {
        Element e = doc.createElementNS(ns, prefix + ":" + local);
        e.setAttributeNS(XMLNS, "xmlns:" + prefix, ns);
        return e;
    }

    /** Un elemento figlio, nello stesso namespace e con lo stesso prefisso (o nessuno) del padre. */
    static Element figlio(Element parent, String local) {
        String nome = parent.getPrefix() == null ? local : parent.getPrefix() + ":" + local;
        Element e = parent.getOwnerDocument().createElementNS(parent.getNamespaceURI(), nome);
        parent.appendChild(e);
        return e;
    }

    /** Un elemento figlio con solo testo, come figlio(). */
    static Element testo(Element parent, String local, String value) {
        Element e = figlio(parent, local);
        e.setTextContent(value);
        return e;
    }

    /**
     * Un elemento importato da un altro documento (Document.importNode) perde le dichiarazioni di namespace dei suoi
     * antenati di là: le rimette come attributi xmlns, dove un prefisso usato non è già dichiarato con quel namespace.
     * Santuario canonicalizza, e XMLUtils.outputDOM scrive, le dichiarazioni presenti nel DOM, non quelle implicite.
     */
    static void dichiaraNamespace(Element e) {
        dichiaraNamespace(e, new HashMap<>());
    }

    private static void dichiaraNamespace(Element e, Map<String, String> ambito) {
        Map<String, String> qui = new HashMap<>(ambito);
        List<Attr> attributi = new ArrayList<>();
        NamedNodeMap tutti = e.getAttributes();
        for (int i = 0; i < tutti.getLength(); i++) {
            Attr a = (Attr) tutti.item(i);
            if (XMLNS.equals(a.getNamespaceURI())) qui.put(a.getPrefix() == null ? "" : a.getLocalName(), a.getValue());
            else if (a.getNamespaceURI() != null) attributi.add(a);
        }
        dichiara(e, e.getPrefix(), e.getNamespaceURI(), qui);
        for (Attr a : attributi) dichiara(e, a.getPrefix(), a.getNamespaceURI(), qui);
        for (Element c : figli(e)) dichiaraNamespace(c, qui);
    }

    private static void dichiara(Element e, String prefisso, String ns, Map<String, String> ambito) {
        String p = prefisso == null ? "" : prefisso;
        String voluto = ns == null ? "" : ns;
        if (voluto.equals(ambito.getOrDefault(p, ""))) return;
        e.setAttributeNS(XMLNS, p.isEmpty() ? "xmlns" : "xmlns:" + p, voluto);
        ambito.put(p, voluto);
    }

    static List<Element> figli(Element parent) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element) out.add((Element) n);
        }
        return out;
    }

    /** ns "" per un elemento senza namespace (faultcode, faultstring, detail di SOAP 1.1). */
    static boolean is(Node n, String ns, String local) {
        String nsUri = n == null ? null : n.getNamespaceURI();
        return n instanceof Element && ns.equals(nsUri == null ? "" : nsUri) && local.equals(n.getLocalName());
    }

    /** L'unico figlio (ns, local) di parent; un errore se manca o se ce n'è più d'uno. */
    static Element unico(Element parent, String ns, String local) {
        Element found = null;
        for (Element e : figli(parent)) {
            if (!is(e, ns, local)) continue;
            if (found != null) throw new IllegalStateException("più di un " + local + " in " + parent.getLocalName());
            found = e;
        }
        if (found == null) throw new IllegalStateException("manca " + local + " in " + parent.getLocalName());
        return found;
    }

    static Element facoltativo(Element parent, String ns, String local) {
        for (Element e : figli(parent)) if (is(e, ns, local)) return e;
        return null;
    }
}
