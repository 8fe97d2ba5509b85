package org.iomtpq.gateway.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A development CA and server pair made by {@code ./iomt dev-cert}, as an operator makes them, and trust in that CA. */
public final class DevCerts {

    private DevCerts() {
    }

    /** {@code ./iomt dev-cert --dir dir}: ca.pem, server.pem, server-key.pem for localhost and 127.0.0.1. */
    public static Path make(Path dir) throws Exception {
        SystemPackages.requireOrSkip(hasOpenssl() ? null : "openssl is not installed");
        Process p = new ProcessBuilder("bash", "iomt", "dev-cert", "--dir", dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out);
        assertTrue(out.contains("IOMT_TLS_CERT_FILE=" + dir.resolve("server.pem")), out);
        return dir;
    }

    /** TLS trusting only {@code caPem}. */
    public static SSLContext trusting(Path caPem) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            trust.setCertificateEntry("dev-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static boolean hasOpenssl() {
        try {
            return new ProcessBuilder("openssl", "version").start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
