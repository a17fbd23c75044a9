package esempio;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * Mutua autenticazione TLS (ModI ID_AUTH_CHANNEL_02) con il solo JDK: la propria identità da un keystore PKCS12
 * (costruito dai PEM con `openssl pkcs12 -export`, vedi README), la fiducia nella sola CA della federazione.
 * La stessa chiave e lo stesso certificato firmano i messaggi: la federazione vuole che coincidano.
 */
final class CanaleTls {
    /** Risposta HTTP con il certificato che il server ha presentato nell'handshake. */
    record Risposta(int status, byte[] corpo, X509Certificate certificatoServer) {}

    final PrivateKey chiave;
    final X509Certificate certificato;
    final X509Certificate ca;
    private final HttpClient http;

    CanaleTls(Path keystore, char[] password, Path caPem) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, password);
        }
        String alias = null;
        for (String a : java.util.Collections.list(ks.aliases())) {
            if (ks.isKeyEntry(a)) {
                if (alias != null) throw new IllegalArgumentException("il keystore contiene più di una chiave: una sola identità per chiamata");
                alias = a;
            }
        }
        if (alias == null) throw new IllegalArgumentException("il keystore non contiene una chiave privata");
        chiave = (PrivateKey) ks.getKey(alias, password);
        certificato = (X509Certificate) ks.getCertificate(alias);

        ca = leggiCertificato(caPem);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca-federazione", ca);

        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        // TLS 1.3 e 1.2 soltanto, come la politica della federazione; le suite le sceglie il server tra le sue (ECDHE + AEAD).
        SSLParameters parametri = ssl.getDefaultSSLParameters();
        parametri.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        http = HttpClient.newBuilder()
            .sslContext(ssl)
            .sslParameters(parametri)
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    }

    /** POST SOAP 1.1; il nome host (o IP) dell'URL è verificato contro il certificato del server, come sempre in Java. */
    Risposta invia(URI endpoint, String soapAction, byte[] busta) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(endpoint)
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "text/xml; charset=utf-8")
            .header("SOAPAction", "\"" + soapAction + "\"")
            .POST(HttpRequest.BodyPublishers.ofByteArray(busta))
            .build();
        HttpResponse<byte[]> res = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        X509Certificate server = null;
        if (res.sslSession().isPresent()) {
            Certificate[] catena = res.sslSession().get().getPeerCertificates();
            server = (X509Certificate) catena[0];
        }
        return new Risposta(res.statusCode(), res.body(), server);
    }

    static X509Certificate leggiCertificato(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
