package org.iomtpq.gateway.camel;

import java.nio.charset.StandardCharsets;

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
    public static GatedMqttClient connectAnswers(String brokerUrl, String clientId, String userName, String password) {
        try {
            MqttConnectionOptions options = options(brokerUrl, userName, password);
            options.setCleanStart(true);
            return GatedMqttClient.open(brokerUrl, clientId, options);
        } catch (MqttException | IllegalArgumentException e) {
            throw new StartupException("cannot connect to the MQTT broker at " + brokerUrl + " as " + clientId + " ("
                    + e.getMessage() + "): check IOMT_MQTT_URL and IOMT_MQTT_USERNAME / IOMT_MQTT_PASSWORD", e);
        }
    }

    /** Reconnecting by themselves, no Nagle delay on tcp://, the gateway's credentials. */
    static MqttConnectionOptions options(String brokerUrl, String userName, String password) {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setAutomaticReconnect(true);
        if (brokerUrl.startsWith("tcp://")) {
            options.setSocketFactory(new NoDelaySocketFactory()); // ssl:// keeps Paho's TLS factory
        }
        if (userName != null && !userName.isBlank()) {
            options.setUserName(userName);
            options.setPassword(password == null ? new byte[0] : password.getBytes(StandardCharsets.UTF_8));
        }
        return options;
    }
}
