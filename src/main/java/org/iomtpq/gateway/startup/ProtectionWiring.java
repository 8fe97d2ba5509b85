package org.iomtpq.gateway.startup;

import java.io.File;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

import javax.net.ssl.SSLException;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.config.StartupException;
import org.iomtpq.gateway.net.HttpConnectionGuard;
import org.iomtpq.gateway.service.StepRateLimits;
import org.iomtpq.gateway.service.TokenBuckets;

/** The API's protections from configuration: rate limits ({@code iomt.limits.*}) and connection limits ({@code iomt.http.*}). */
final class ProtectionWiring {

    private static final Logger LOG = LoggerFactory.getLogger(ProtectionWiring.class);

    private ProtectionWiring() {
    }

    /**
     * Plain text only where nobody else can listen: an API without TLS, or the embedded broker without TLS and logins,
     * bound beyond loopback refuses to start, unless {@code IOMT_ALLOW_PLAINTEXT=true} (a TLS-terminating proxy in front),
     * which is logged loudly. On loopback the gateway says it is plain.
     */
    static void checkPlaintext(GatewaySettings settings) {
        boolean allowed = Boolean.parseBoolean(settings.getOrEmpty("iomt.allow-plaintext").trim());
        String http = settings.get("iomt.http.host");
        if (!settings.isSet(TLS_CERT)) {
            refuseBeyondLoopback("the HTTP API", "without TLS", http, "set IOMT_TLS_CERT_FILE and IOMT_TLS_KEY_FILE"
                    + " (./iomt dev-cert for development), bind IOMT_HTTP_HOST to 127.0.0.1", allowed);
        }
        if (settings.getOrEmpty("iomt.mqtt.url").isBlank() && !BrokerWiring.protectedBeyondLoopback(settings)) {
            boolean tls = settings.isSet(TLS_CERT);
            boolean logins = settings.isSet(BrokerWiring.PASSWORDS_FILE);
            refuseBeyondLoopback("the embedded MQTT broker", tls ? "without logins" : logins ? "without TLS"
                    : "without TLS or logins", settings.get("iomt.mqtt.host"), "set IOMT_TLS_CERT_FILE/IOMT_TLS_KEY_FILE"
                    + " and IOMT_MQTT_PASSWORDS_FILE (mosquitto_passwd), use an external broker (IOMT_MQTT_URL,"
                    + " config/mosquitto/), bind IOMT_MQTT_HOST to 127.0.0.1", allowed);
        }
    }

    private static void refuseBeyondLoopback(String what, String lacking, String host, String change, boolean allowed) {
        if (isLoopback(host)) {
            LOG.info("{} is {} on loopback {} (development; docs/security.md)", what, lacking, host);
        } else if (allowed) {
            LOG.warn("*** {} listens {} on {} because IOMT_ALLOW_PLAINTEXT=true: bearer tokens and device traffic"
                    + " cross the network unprotected unless a TLS-terminating proxy is in front. ***", what,
                    lacking.toUpperCase(java.util.Locale.ROOT), host);
        } else {
            throw new StartupException(what + " would listen " + lacking + " on " + host + ": " + change
                    + ", or set IOMT_ALLOW_PLAINTEXT=true behind a TLS-terminating proxy");
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false; // the bind fails later with its own line
        }
    }

    static StepRateLimits rateLimits(GatewaySettings settings) {
        int tracked = settings.getInt("iomt.limits.tracked");
        if (tracked < 1) {
            throw new StartupException("iomt.limits.tracked (IOMT_LIMITS_TRACKED) must be at least 1, got " + tracked);
        }
        return new StepRateLimits(new StepRateLimits.Settings(rate(settings, "source"), rate(settings, "device"),
                rate(settings, "source-rejections"), rate(settings, "device-rejections"), rate(settings, "auth-failures"),
                tracked), System::nanoTime);
    }

    static HttpConnectionGuard connectionGuard(GatewaySettings settings) {
        long requestTimeout = positive(settings, "iomt.http.request-timeout-ms");
        long idleTimeout = positive(settings, "iomt.http.idle-timeout-ms");
        long perSource = positive(settings, "iomt.http.max-connections-per-source");
        return new HttpConnectionGuard(new HttpConnectionGuard.Limits(Duration.ofMillis(requestTimeout),
                Duration.ofMillis(idleTimeout), (int) Math.min(Integer.MAX_VALUE, perSource)),
                settings.get("iomt.http.host"), settings.getPort("iomt.http.port"), apiTls(settings));
    }

    /** HTTPS when both PEM files are set (TLS 1.3 and 1.2 only); null (plain HTTP) when neither is. */
    static SslContext apiTls(GatewaySettings settings) {
        boolean cert = settings.isSet(TLS_CERT);
        boolean key = settings.isSet(TLS_KEY);
        if (settings.isSet(TLS_CLIENT_CA) && !cert) {
            throw new StartupException("IOMT_TLS_CLIENT_CA_FILE (client certificates for the operator API) needs HTTPS:"
                    + " set IOMT_TLS_CERT_FILE and IOMT_TLS_KEY_FILE too, or leave it empty");
        }
        if (!cert && !key) {
            return null;
        }
        if (cert != key) {
            throw new StartupException("HTTPS needs both IOMT_TLS_CERT_FILE and IOMT_TLS_KEY_FILE (PEM): set the missing one,"
                    + " or neither for plain HTTP");
        }
        SslContextBuilder builder;
        try {
            builder = SslContextBuilder.forServer(new File(settings.get(TLS_CERT)), new File(settings.get(TLS_KEY)))
                    .protocols("TLSv1.3", "TLSv1.2");
        } catch (IllegalArgumentException e) {
            throw unusablePair(settings, e);
        }
        if (settings.isSet(TLS_CLIENT_CA)) {
            // asked of every client, required by the operator API only (OperatorApi): devices have no certificates;
            // one that a client presents must chain to this CA or the handshake fails
            builder.trustManager(new File(settings.get(TLS_CLIENT_CA))).clientAuth(ClientAuth.OPTIONAL);
        }
        try {
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            if (settings.isSet(TLS_CLIENT_CA)) {
                throw new StartupException("cannot use IOMT_TLS_CLIENT_CA_FILE " + settings.get(TLS_CLIENT_CA) + " or the"
                        + " server pair (" + rootMessage(e) + "): give PEM certificates of the operators' CA");
            }
            throw unusablePair(settings, e);
        }
    }

    private static StartupException unusablePair(GatewaySettings settings, Exception e) {
        return new StartupException("cannot use IOMT_TLS_CERT_FILE " + settings.get(TLS_CERT) + " with IOMT_TLS_KEY_FILE "
                + settings.get(TLS_KEY) + " (" + rootMessage(e) + "): give a PEM certificate chain and its unencrypted"
                + " PKCS#8 PEM key (./iomt dev-cert makes a pair for development)");
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    static final String TLS_CERT = "iomt.tls.cert-file";
    static final String TLS_KEY = "iomt.tls.key-file";
    static final String TLS_CLIENT_CA = "iomt.tls.client-ca-file";

    private static TokenBuckets.Rate rate(GatewaySettings settings, String name) {
        double perSecond = number(settings, "iomt.limits." + name + ".rate");
        double burst = number(settings, "iomt.limits." + name + ".burst");
        if (perSecond > 0 && burst < 1) {
            String key = "iomt.limits." + name + ".burst";
            throw new StartupException(key + " (" + GatewaySettings.environmentName(key)
                    + ") must be at least 1 while its rate is on, got " + settings.get(key));
        }
        return new TokenBuckets.Rate(perSecond, burst);
    }

    private static double number(GatewaySettings settings, String key) {
        try {
            double value = Double.parseDouble(settings.get(key).trim());
            if (value >= 0 && Double.isFinite(value)) {
                return value;
            }
        } catch (NumberFormatException e) {
            // the line below says what to change
        }
        throw new StartupException(key + " (" + GatewaySettings.environmentName(key)
                + ") must be a number of at least 0, got '" + settings.get(key) + "'");
    }

    static long positive(GatewaySettings settings, String key) {
        long value = settings.getLong(key);
        if (value < 1) {
            throw new StartupException(key + " (" + GatewaySettings.environmentName(key) + ") must be at least 1, got " + value);
        }
        return value;
    }
}
