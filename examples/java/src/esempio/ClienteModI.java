package esempio;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.xml.security.Init;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Un client SOAP Java del servizio INPS istruttoria (wsdl/inps-istruttoria.wsdl) scritto dal solo contratto:
 * busta costruita con il DOM del JDK, firmata e verificata con Apache Santuario, inviata in mutua TLS con
 * java.net.http. Stampa una riga JSON con l'esito. Uso: vedi README.md o `--aiuto`.
 */
public final class ClienteModI {
    private static final String USO = """
        uso:
          ClienteModI stato    --protocollo P                       [opzioni di chiamata]
          ClienteModI presenta --protocollo P | --domanda file.xml  [opzioni di chiamata]
          ClienteModI verifica --risposta file.xml --message-id ID --ca ca.cert.pem [--certificato-fornitore cert.pem]
        opzioni di chiamata:
          --endpoint URL                l'indirizzo servito (è anche wsa:To), es. https://127.0.0.1:8443/ape/istruttoria
          --keystore file.p12           chiave e certificato della propria identità (TLS e firma)
          --password P                  del keystore (oppure la variabile d'ambiente APE_KEYSTORE_PASSWORD)
          --ca ca.cert.pem              la CA della federazione (server TLS e firma delle risposte)
          --operatore ID --ufficio T    chi causa la chiamata (com:Operatore)
          --certificato-fornitore pem   facoltativo: il certificato che deve aver firmato la risposta
          --stile prefissi|wss4j        facoltativo: wss4j = namespace predefinito sull'Envelope e PrefixList "#default"
          --salva-richiesta f  --salva-risposta f   facoltativi: le buste esatte inviate e ricevute
        uscita: 0 risposta verificata (ack o Fault), 3 risposta rifiutata, 2 errore d'uso o di trasporto
        """;

    private ClienteModI() {}

    public static void main(String[] argv) {
        Map<String, Object> out = new LinkedHashMap<>();
        int codice;
        try {
            if (argv.length == 0 || argv[0].equals("--aiuto")) {
                System.err.print(USO);
                System.exit(argv.length == 0 ? 2 : 0);
            }
            // Base64 su una sola riga (DigestValue, SignatureValue): altrimenti Santuario va a capo ogni 76 caratteri
            // con CR LF, che nel documento diventano "&#xD;" + a capo; ammesso, ma illeggibile in un log.
            System.setProperty("org.apache.xml.security.ignoreLineBreaks", "true");
            Init.init();
            Map<String, String> a = opzioni(argv);
            codice = switch (argv[0]) {
                case "stato", "presenta" -> chiama(argv[0], a, out);
                case "verifica" -> verificaFile(a, out);
                default -> throw new IllegalArgumentException("comando sconosciuto: " + argv[0]);
            };
        } catch (Exception e) {
            out.put("errore", e.getClass().getSimpleName() + ": " + e.getMessage());
            codice = 2;
        }
        System.out.println(Json.scrivi(out));
        System.exit(codice);
    }

    private static int chiama(String comando, Map<String, String> a, Map<String, Object> out) throws Exception {
        String endpoint = richiesto(a, "endpoint");
        String password = a.getOrDefault("password", System.getenv("APE_KEYSTORE_PASSWORD"));
        if (password == null) throw new IllegalArgumentException("manca --password (o APE_KEYSTORE_PASSWORD)");
        CanaleTls canale = new CanaleTls(Path.of(richiesto(a, "keystore")), password.toCharArray(), Path.of(richiesto(a, "ca")));
        Instant adesso = Instant.now();

        String stile = a.getOrDefault("stile", "prefissi");
        if (!stile.equals("prefissi") && !stile.equals("wss4j")) throw new IllegalArgumentException("--stile: prefissi o wss4j");
        boolean wss4j = stile.equals("wss4j");
        var intestazioni = new Richiesta.Intestazioni(endpoint, richiesto(a, "operatore"), richiesto(a, "ufficio"), wss4j);

        Richiesta r;
        if (comando.equals("stato")) {
            r = Richiesta.statoIstruttoria(intestazioni, richiesto(a, "protocollo"));
        } else if (a.containsKey("domanda")) {
            // La domanda del file, con il suo protocollo.
            r = Richiesta.presentaDomanda(intestazioni, null, corpoDaFile(Path.of(a.get("domanda"))), adesso);
        } else {
            r = Richiesta.presentaDomanda(intestazioni, richiesto(a, "protocollo"), null, adesso);
        }
        List<String> firmate = FirmaRichiesta.firma(r.doc, canale.chiave, canale.certificato, adesso, Duration.ofSeconds(300), wss4j ? "#default" : null);
        byte[] busta = Xml.serialize(r.doc);
        if (a.containsKey("salva-richiesta")) Files.write(Path.of(a.get("salva-richiesta")), busta);
        out.put("operazione", comando.equals("stato") ? "StatoIstruttoria" : "PresentaDomanda");
        out.put("messageId", r.messageId);
        out.put("firmaRichiesta", firmate);

        CanaleTls.Risposta risposta = canale.invia(URI.create(endpoint), r.azione, busta);
        if (a.containsKey("salva-risposta")) Files.write(Path.of(a.get("salva-risposta")), risposta.corpo());
        out.put("http", risposta.status());
        X509Certificate atteso = a.containsKey("certificato-fornitore") ? CanaleTls.leggiCertificato(Path.of(a.get("certificato-fornitore"))) : null;
        var attese = new VerificaRisposta.Attese(r.messageId, canale.ca, risposta.certificatoServer(), atteso, Instant.now());
        return leggi(risposta.corpo(), attese, out);
    }

    /** Verifica una risposta salvata (--salva-risposta) senza chiamare nessuno: serve a capire un rifiuto. */
    private static int verificaFile(Map<String, String> a, Map<String, Object> out) throws Exception {
        X509Certificate ca = CanaleTls.leggiCertificato(Path.of(richiesto(a, "ca")));
        X509Certificate atteso = a.containsKey("certificato-fornitore") ? CanaleTls.leggiCertificato(Path.of(a.get("certificato-fornitore"))) : null;
        var attese = new VerificaRisposta.Attese(richiesto(a, "message-id"), ca, null, atteso, Instant.now());
        return leggi(Files.readAllBytes(Path.of(richiesto(a, "risposta"))), attese, out);
    }

    /** Prima la firma, poi il contenuto: di una risposta non verificata non si legge nulla, nemmeno il codice di un Fault. */
    private static int leggi(byte[] corpo, VerificaRisposta.Attese attese, Map<String, Object> out) {
        Map<String, Object> firma = new LinkedHashMap<>();
        out.put("firmaRisposta", firma);
        VerificaRisposta.Esito esito;
        try {
            esito = VerificaRisposta.verifica(Xml.parse(corpo), attese);
        } catch (Exception e) {
            firma.put("valida", false);
            firma.put("errore", e.getMessage());
            out.put("esito", "RIFIUTATA");
            return 3;
        }
        firma.put("valida", true);
        firma.put("parti", esito.parti());
        firma.put("firmatario", esito.certificato().getSubjectX500Principal().getName());
        firma.put("relatesTo", esito.relatesTo());
        Element fault = Xml.facoltativo(esito.body(), Xml.SOAP, "Fault");
        if (fault != null) {
            out.put("esito", "FAULT");
            out.put("fault", leggiFault(fault));
        } else {
            Element risposta = Xml.figli(esito.body()).get(0);
            out.put("esito", "ACK");
            out.put("risposta", foglie(risposta));
        }
        return 0;
    }

    private static Map<String, Object> leggiFault(Element fault) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("faultcode", testo(Xml.facoltativo(fault, "", "faultcode")));
        f.put("faultstring", testo(Xml.facoltativo(fault, "", "faultstring")));
        Element detail = Xml.facoltativo(fault, "", "detail");
        Element errore = detail == null ? null : Xml.facoltativo(detail, Xml.COM, "ErroreApe");
        if (errore != null) f.putAll(foglie(errore));
        return f;
    }

    /** I figli di solo testo di un elemento, per nome locale (quanto basta per stampare l'esito). */
    private static Map<String, Object> foglie(Element e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("elemento", e.getLocalName());
        for (Element c : Xml.figli(e)) {
            if (Xml.figli(c).isEmpty()) m.put(c.getLocalName(), c.getTextContent());
        }
        return m;
    }

    private static String testo(Element e) {
        return e == null ? null : e.getTextContent();
    }

    /** Il file può essere un ist:PresentaDomanda o una busta che lo contiene (es. var/demo/domanda-esempio.xml). */
    private static Element corpoDaFile(Path file) throws Exception {
        Document d = Xml.parse(Files.readAllBytes(file));
        Element root = d.getDocumentElement();
        if (Xml.is(root, Xml.SOAP, "Envelope")) return Xml.figli(Xml.unico(root, Xml.SOAP, "Body")).get(0);
        return root;
    }

    private static Map<String, String> opzioni(String[] argv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 1; i < argv.length; i += 2) {
            if (!argv[i].startsWith("--") || i + 1 >= argv.length) throw new IllegalArgumentException("opzione senza valore: " + argv[i] + "\n" + USO);
            m.put(argv[i].substring(2), argv[i + 1]);
        }
        return m;
    }

    private static String richiesto(Map<String, String> a, String nome) {
        String v = a.get(nome);
        if (v == null || v.isBlank()) throw new IllegalArgumentException("manca --" + nome);
        return v;
    }
}
