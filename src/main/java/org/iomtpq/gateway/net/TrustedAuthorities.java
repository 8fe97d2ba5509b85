package org.iomtpq.gateway.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Collection;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/** TLS client sockets that trust exactly the certificate authorities of one PEM file (a hospital's own CA). */
public final class TrustedAuthorities {

    private TrustedAuthorities() {
    }

    /** Trusting the certificates in {@code caPem}; a file without one is an IllegalArgumentException. */
    public static SSLSocketFactory socketFactory(Path caPem) {
        try {
            Collection<? extends Certificate> authorities;
            try (InputStream in = Files.newInputStream(caPem)) {
                authorities = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (authorities.isEmpty()) {
                throw new IllegalArgumentException("no PEM certificate in " + caPem);
            }
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (Certificate authority : authorities) {
                trust.setCertificateEntry("ca-" + i++, authority);
            }
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            // JDK 17 clients offer TLS 1.3 and 1.2 only (1.1 and 1.0 are in jdk.tls.disabledAlgorithms)
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, trustManagers.getTrustManagers(), null);
            return tls.getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the certificate authorities in " + caPem + ": " + e.getMessage(), e);
        }
    }
}
