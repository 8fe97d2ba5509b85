package org.iomtpq.gateway.startup;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.config.StartupException;
import org.iomtpq.gateway.embedded.BrokerSecurity;
import org.iomtpq.gateway.embedded.EmbeddedMqttBroker;
import org.iomtpq.gateway.embedded.MosquittoPasswordFile;

/**
 * The embedded broker from configuration. With {@code iomt.tls.*} it listens with TLS on
 * {@code iomt.mqtt.host:iomt.mqtt.tls-port} and keeps its plain listener on loopback for this process; with
 * {@code iomt.mqtt.passwords-file} it wants logins and applies PROTOCOL.md §3's ACL, the gateway logging in with an
 * account of its own for this start. Every connection counts towards {@code iomt.mqtt.max-connections-per-source}.
 */
final class BrokerWiring {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerWiring.class);
    static final String PASSWORDS_FILE = "iomt.mqtt.passwords-file";
    private static final String DEFAULT_GATEWAY_USER = "iomt-gateway";

    /** The broker and the login this gateway's own MQTT clients use on it (empty user: none). */
    record Started(EmbeddedMqttBroker broker, String userName, String password) {
    }

    private BrokerWiring() {
    }

    /** Whether the embedded broker can take clients beyond loopback: TLS and logins both on. */
    static boolean protectedBeyondLoopback(GatewaySettings settings) {
        return settings.isSet(ProtectionWiring.TLS_CERT) && settings.isSet(PASSWORDS_FILE);
    }

    /** The plain listener's address: loopback while TLS is on (only this process and local tools use it). */
    static String plainHost(GatewaySettings settings) {
        return settings.isSet(ProtectionWiring.TLS_CERT) ? "127.0.0.1" : settings.get("iomt.mqtt.host");
    }

    static Started start(GatewaySettings settings) {
        int perSource = (int) Math.min(Integer.MAX_VALUE, ProtectionWiring.positive(settings,
                "iomt.mqtt.max-connections-per-source"));
        String userName = "";
        String password = "";
        BrokerSecurity.Logins logins = new BrokerSecurity.Logins(null, null, null);
        if (settings.isSet(PASSWORDS_FILE)) {
            MosquittoPasswordFile file;
            try {
                file = MosquittoPasswordFile.read(Path.of(settings.get(PASSWORDS_FILE)));
            } catch (IllegalArgumentException e) {
                throw new StartupException(e.getMessage() + " (IOMT_MQTT_PASSWORDS_FILE)", e);
            }
            userName = settings.isSet("iomt.mqtt.username") ? settings.get("iomt.mqtt.username") : DEFAULT_GATEWAY_USER;
            // the configured password if there is one (another instance may use it), else one for this start only
            password = settings.isSet("iomt.mqtt.password") ? settings.get("iomt.mqtt.password") : randomPassword();
            logins = new BrokerSecurity.Logins(file, userName, password.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        EmbeddedMqttBroker.TlsListener tls = null;
        if (settings.isSet(ProtectionWiring.TLS_CERT)) {
            ProtectionWiring.apiTls(settings); // both files set and usable, or the one line saying which is not
            tls = new EmbeddedMqttBroker.TlsListener(settings.get("iomt.mqtt.host"), settings.getPort("iomt.mqtt.tls-port"),
                    Path.of(settings.get(ProtectionWiring.TLS_CERT)), Path.of(settings.get(ProtectionWiring.TLS_KEY)));
        }
        EmbeddedMqttBroker broker = EmbeddedMqttBroker.start(settings.dataDir(), plainHost(settings),
                settings.getInt("iomt.mqtt.port"), EmbeddedMqttBroker.Persistence.FILE, tls, new BrokerSecurity(logins,
                        perSource));
        LOG.info("Embedded MQTT broker (HiveMQ CE) at {}{}; {}", broker.url(),
                tls == null ? "" : ", TLS on ssl://" + tls.host() + ":" + tls.port(),
                logins.passwords() == null ? "anonymous clients, no ACL" : "logins from " + settings.get(PASSWORDS_FILE)
                        + " with the ACL of PROTOCOL.md §3 (the gateway as " + userName + ")");
        return new Started(broker, userName, password);
    }

    private static String randomPassword() {
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        return Base64.getEncoder().encodeToString(secret);
    }
}
