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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT client behind the {@code mqtt-ingest} route. camel-paho-mqtt5 connects its own client before it sets its
 * callback, so QoS 1 messages the broker sends right after CONNACK — everything queued for the gateway's persistent
 * session while it was down — reach no callback and are neither processed nor acknowledged until the next reconnect.
 * This client is connected by the gateway with its callback already in place: what arrives before Camel is fully
 * started (its callback set, every route behind it running) is kept, and handed over in order on {@link #release()}.
 * Acknowledgements stay manual (sent when the exchange completes).
 */
public final class IngressMqttClient extends MqttClient {

    private static final Logger LOG = LoggerFactory.getLogger(IngressMqttClient.class);

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

    /**
     * Connects with a persistent session: {@code cleanStart=false} and a session expiry, so queued messages survive.
     * {@code receiveMaximum} bounds how many unacknowledged messages the broker sends at once (MQTT 5 Receive
     * Maximum; brokers take it over their own in-flight setting, Paho's default is 65,535): everything beyond waits
     * at the broker, queued for this session, instead of in this process (IngressMqttClientIT: Mosquitto sends exactly
     * that many, also after a reconnect). Not fully understood: in GatewayCrashIT a restart after a backlog still
     * received up to 8,500 messages before Camel was ready (16,000 without the bound); nothing depends on the bound.
     */
    public static IngressMqttClient connect(String brokerUrl, String clientId, long sessionExpirySeconds,
                                            GatewayMqttClients.Login login, int receiveMaximum) {
        try {
            IngressMqttClient client = new IngressMqttClient(brokerUrl, clientId);
            MqttConnectionOptions options = GatewayMqttClients.options(brokerUrl, login);
            options.setCleanStart(false);
            options.setSessionExpiryInterval(sessionExpirySeconds);
            options.setReceiveMaximum(receiveMaximum);
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

    /**
     * Called once Camel has started every route: what arrived meanwhile is handed over, in order, on a thread of its
     * own. Handing over waits whenever the device lanes are full, so after a restart with a backlog it can take
     * seconds; start-up (and a SIGTERM that came during it) does not wait for that. Messages arriving meanwhile wait
     * for it (their order is kept).
     */
    public void release() {
        Thread handOver = new Thread(() -> {
            long started = System.nanoTime();
            int count;
            synchronized (lock) {
                released = true;
                count = early.size();
                replayIfReady();
            }
            if (count > 0) {
                LOG.info("handed the {} MQTT messages that arrived during start-up to the routes in {} ms", count,
                        (System.nanoTime() - started) / 1_000_000);
            }
        }, "mqtt-start-up-hand-over");
        handOver.setDaemon(true);
        handOver.start();
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
            if (stopped) {
                break; // not handed over, so never acknowledged: the broker delivers them again at the next start
            }
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
