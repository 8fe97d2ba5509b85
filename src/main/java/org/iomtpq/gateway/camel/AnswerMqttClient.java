package org.iomtpq.gateway.camel;

import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.iomtpq.gateway.net.MqttBusyRetry;

/**
 * The client every paho-mqtt5 producer of the gateway publishes through: the answers on {@code iomt/v1/{id}/down}
 * and the gateway record. camel-paho-mqtt5 would create a plain client per endpoint; this one differs in a single
 * way: a publish Paho refuses as busy (32202) is sent again ({@link MqttBusyRetry}) instead of failing the exchange.
 * Otherwise the device whose message was already stored would get no answer, or a wrong one, because a client-side
 * counter lagged.
 */
public final class AnswerMqttClient extends MqttClient {

    private AnswerMqttClient(String brokerUrl, String clientId) throws MqttException {
        super(brokerUrl, clientId, new MemoryPersistence());
    }

    /** A clean session: answers are not queued for the gateway, so nothing needs to survive its restart. */
    public static AnswerMqttClient connect(String brokerUrl, String clientId, String userName, String password) {
        try {
            AnswerMqttClient client = new AnswerMqttClient(brokerUrl, clientId);
            MqttConnectionOptions options = GatewayMqttOptions.of(brokerUrl, userName, password);
            options.setCleanStart(true);
            client.connect(options);
            return client;
        } catch (MqttException e) {
            throw new IllegalStateException("cannot connect the MQTT answer client " + clientId + " to " + brokerUrl
                    + ": " + e.getMessage(), e);
        }
    }

    /** Also reached by {@code publish(topic, payload, qos, retained)}, which builds the message and calls this. */
    @Override
    public void publish(String topic, MqttMessage message) throws MqttException {
        MqttBusyRetry.publish(() -> super.publish(topic, message));
    }
}
