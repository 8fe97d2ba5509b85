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

    /**
     * A client certificate (an operator's) signed by the development CA in {@code certs}, and TLS that presents it and
     * trusts that CA.
     */
    public static SSLContext clientPresenting(Path certs, String commonName) throws Exception {
        Path key = certs.resolve(commonName + "-key.pem");
        Path csr = certs.resolve(commonName + ".csr");
        Path cert = certs.resolve(commonName + ".pem");
        Path p12 = certs.resolve(commonName + ".p12");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=" + commonName,
                "-keyout", key.toString(), "-out", csr.toString());
        openssl("x509", "-req", "-in", csr.toString(), "-CA", certs.resolve("ca.pem").toString(), "-CAkey",
                certs.resolve("ca-key.pem").toString(), "-CAcreateserial", "-days", "2", "-out", cert.toString());
        openssl("pkcs12", "-export", "-inkey", key.toString(), "-in", cert.toString(), "-passout", "pass:test",
                "-out", p12.toString());
        KeyStore identity = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            identity.load(in, "test".toCharArray());
        }
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(identity, "test".toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trustStore(certs.resolve("ca.pem")));
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    private static void openssl(String... args) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("openssl"));
        command.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", command) + ": " + out);
    }

    private static KeyStore trustStore(Path caPem) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            trust.setCertificateEntry("dev-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        return trust;
    }

    /** TLS trusting only {@code caPem}. */
    public static SSLContext trusting(Path caPem) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trustStore(caPem));
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
