package org.iomtpq.gateway.camel;

import java.nio.charset.StandardCharsets;

import javax.net.ssl.SSLSocketFactory;

import org.iomtpq.gateway.config.StartupException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.iomtpq.gateway.net.GatedMqttClient;
import org.iomtpq.gateway.net.NoDelaySocketFactory;

/** The gateway's own MQTT clients: how they connect, and the one its answers leave through. */
public final class GatewayMqttClients {

    private GatewayMqttClients() {
    }

    /**
     * The client every camel-paho-mqtt5 producer publishes through (answers on {@code iomt/v1/{id}/down}, the gateway
     * record): Camel would otherwise make a plain Paho client per endpoint, whose publishes Paho refuses at random
     * with 32202 (see MqttPublishGate) — the device whose message was already stored would get no answer. A clean
     * session: answers are not queued for the gateway.
     */
    public static GatedMqttClient connectAnswers(String brokerUrl, String clientId, Login login) {
        try {
            MqttConnectionOptions options = options(brokerUrl, login);
            options.setCleanStart(true);
            return GatedMqttClient.open(brokerUrl, clientId, options);
        } catch (MqttException | IllegalArgumentException e) {
            throw new StartupException("cannot connect to the MQTT broker at " + brokerUrl + " as " + clientId + " ("
                    + e.getMessage() + "): check IOMT_MQTT_URL and IOMT_MQTT_USERNAME / IOMT_MQTT_PASSWORD", e);
        }
    }

    /**
     * How the gateway's clients log in: a user name (empty: none) and password, and for ssl:// the TLS socket factory
     * trusting the configured certificate authorities (null: Paho's, with the JVM's default trust).
     */
    public record Login(String userName, String password, SSLSocketFactory tls) {
        public static final Login NONE = new Login("", "", null);
    }

    /** Reconnecting by themselves, no Nagle delay on tcp://, the gateway's credentials and trust. */
    static MqttConnectionOptions options(String brokerUrl, Login login) {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setAutomaticReconnect(true);
        if (brokerUrl.startsWith("tcp://")) {
            options.setSocketFactory(new NoDelaySocketFactory());
        } else if (login.tls() != null) {
            options.setSocketFactory(login.tls()); // Paho still checks the broker's host name against its certificate
        }
        if (login.userName() != null && !login.userName().isBlank()) {
            options.setUserName(login.userName());
            options.setPassword(login.password() == null ? new byte[0] : login.password().getBytes(StandardCharsets.UTF_8));
        }
        return options;
    }
}
