package org.iomtpq.gateway.net;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * Paho's blocking MQTT 5 client whose publishes go through a {@link MqttPublishGate}: never refused with 32202, and
 * never waiting forever for an acknowledgement. The gateway's answers leave through one (every camel-paho-mqtt5
 * producer uses it); each simulated device has one. Clean-start sessions only (see the gate).
 */
public class GatedMqttClient extends MqttClient {

    /** A PUBACK that does not come within this fails the publish instead of holding its thread forever. */
    public static final long ACK_TIMEOUT_MILLIS = 30_000;

    private final MqttPublishGate gate;

    public GatedMqttClient(String brokerUrl, String clientId) throws MqttException {
        super(brokerUrl, clientId, new MemoryPersistence());
        gate = new MqttPublishGate(aClient);
    }

    /** The Receive Maximum the broker granted at connect (65,535 when it named none). */
    public int brokerReceiveMaximum() {
        return gate.receiveMaximum();
    }

    /**
     * A new client, connected. If connecting fails the client is closed: a timed-out attempt must not go on
     * connecting (and, with automatic reconnect, reconnecting) behind the caller's back under the same client id.
     */
    public static GatedMqttClient open(String brokerUrl, String clientId, MqttConnectionOptions options)
            throws MqttException {
        GatedMqttClient client = new GatedMqttClient(brokerUrl, clientId);
        try {
            client.connect(options);
            return client;
        } catch (MqttException | RuntimeException e) {
            try {
                client.close(true);
            } catch (MqttException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Connects and learns the broker's Receive Maximum from the CONNACK. */
    @Override
    public void connect(MqttConnectionOptions options) throws MqttException {
        IMqttToken connected = connectWithResult(options);
        gate.brokerReceiveMaximum(connected.getResponseProperties() == null ? null
                : connected.getResponseProperties().getReceiveMaximum());
    }

    /** Also reached by {@code publish(topic, payload, qos, retained)}, which builds the message and calls this. */
    @Override
    public void publish(String topic, MqttMessage message) throws MqttException {
        gate.publish(topic, message).waitForCompletion(ACK_TIMEOUT_MILLIS);
    }
}
