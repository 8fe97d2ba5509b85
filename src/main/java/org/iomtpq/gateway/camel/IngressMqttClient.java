package org.iomtpq.gateway.camel;

import java.util.ArrayList;
import java.util.List;

import org.iomtpq.gateway.config.StartupException;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * The MQTT client behind the {@code mqtt-ingest} route. camel-paho-mqtt5 connects its own client before it sets its
 * callback, so QoS 1 messages the broker sends right after CONNACK — everything queued for the gateway's persistent
 * session while it was down — reach no callback and are neither processed nor acknowledged until the next reconnect.
 * This client is connected by the gateway with its callback already in place: what arrives before Camel is fully
 * started (its callback set, every route behind it running) is kept, and handed over in order on {@link #release()}.
 * Acknowledgements stay manual (sent when the exchange completes).
 */
public final class IngressMqttClient extends MqttClient {

    private final Object lock = new Object();
    private final List<Object[]> early = new ArrayList<>();
    private MqttCallback delegate;
    private boolean released;
    private volatile boolean stopped;

    private IngressMqttClient(String brokerUrl, String clientId) throws MqttException {
        super(brokerUrl, clientId, new MemoryPersistence());
        super.setCallback(new Forwarder());
        setManualAcks(true);
    }

    /** Connects with a persistent session: {@code cleanStart=false} and a session expiry, so queued messages survive. */
    public static IngressMqttClient connect(String brokerUrl, String clientId, long sessionExpirySeconds, String userName,
                                            String password) {
        try {
            IngressMqttClient client = new IngressMqttClient(brokerUrl, clientId);
            MqttConnectionOptions options = GatewayMqttClients.options(brokerUrl, userName, password);
            options.setCleanStart(false);
            options.setSessionExpiryInterval(sessionExpirySeconds);
            client.connect(options);
            return client;
        } catch (MqttException | IllegalArgumentException e) {
            throw new StartupException("cannot connect to the MQTT broker at " + brokerUrl + " as " + clientId + " ("
                    + e.getMessage() + "): check IOMT_MQTT_URL (tcp://host:port or ssl://host:port) and the broker"
                    + " credentials IOMT_MQTT_USERNAME / IOMT_MQTT_PASSWORD, or leave IOMT_MQTT_URL empty for the embedded broker", e);
        }
    }

    /** Camel's callback. Nothing reaches it before {@link #release()}: the routes behind it may not be started yet. */
    @Override
    public void setCallback(MqttCallback callback) {
        synchronized (lock) {
            delegate = callback;
            replayIfReady();
        }
    }

    /** Called once Camel has started every route: what arrived meanwhile is handed over, in order. */
    public void release() {
        synchronized (lock) {
            released = true;
            replayIfReady();
        }
    }

    /**
     * Shutting down: what arrives from now on is neither handed to Camel nor acknowledged, so the broker keeps it for
     * the persistent session and delivers it again at the next start; exchanges already handed over finish and ack.
     */
    public void stopTaking() {
        stopped = true;
    }

    private void replayIfReady() {
        if (!released || delegate == null) {
            return;
        }
        for (Object[] m : early) {
            try {
                delegate.messageArrived((String) m[0], (MqttMessage) m[1]);
            } catch (Exception e) {
                delegate.mqttErrorOccurred(new MqttException(e));
            }
        }
        early.clear();
    }

    private final class Forwarder implements MqttCallback {

        @Override
        public void messageArrived(String topic, MqttMessage message) throws Exception {
            if (stopped) {
                return;
            }
            synchronized (lock) {
                if (!released || delegate == null) {
                    early.add(new Object[] {topic, message});
                    return;
                }
                delegate.messageArrived(topic, message);
            }
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            MqttCallback d = delegate;
            if (d != null) {
                d.disconnected(response);
            }
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            MqttCallback d = delegate;
            if (d != null) {
                d.mqttErrorOccurred(exception);
            }
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
            MqttCallback d = delegate;
            if (d != null) {
                d.deliveryComplete(token);
            }
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            MqttCallback d = delegate;
            if (d != null) {
                d.connectComplete(reconnect, serverURI);
            }
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
            MqttCallback d = delegate;
            if (d != null) {
                d.authPacketArrived(reasonCode, properties);
            }
        }
    }
}
