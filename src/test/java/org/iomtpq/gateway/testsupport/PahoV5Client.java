package org.iomtpq.gateway.testsupport;

import org.iomtpq.gateway.simulator.MessageListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.iomtpq.gateway.net.MqttPublishGate;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * Paho MQTT 5 client reduced to what broker tests need, exposing the reason codes of SUBACK and PUBACK
 * (the synchronous MqttClient hides them, and they are how MQTT 5 brokers report ACL refusals).
 */
public final class PahoV5Client implements AutoCloseable {

    /** A delivered message. */
    public record Message(String topic, byte[] payload, int qos, boolean retained) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private static final long WAIT_MILLIS = 10_000;

    private final MqttAsyncClient client;
    private final BlockingQueue<Message> inbox = new LinkedBlockingQueue<>();

    private final MqttPublishGate gate;

    private PahoV5Client(MqttAsyncClient client) {
        this.client = client;
        this.gate = new MqttPublishGate(client);
    }

    /** Clean start, no credentials. */
    public static PahoV5Client connect(String url, String clientId) throws MqttException {
        return connect(url, clientId, null, null, true, 0);
    }

    /**
     * Connects; with {@code cleanStart=false} a non-zero {@code sessionExpirySeconds} is what makes the
     * session (and its queued QoS 1 messages) outlive the connection — MQTT 5 expires it at once otherwise.
     */
    public static PahoV5Client connect(String url, String clientId, String username, String password,
                                       boolean cleanStart, long sessionExpirySeconds) throws MqttException {
        return connect(url, clientId, username, password, cleanStart, sessionExpirySeconds, null);
    }

    /** As above, over ssl:// with sockets from {@code tls} (null: Paho's default). */
    public static PahoV5Client connect(String url, String clientId, String username, String password,
                                       boolean cleanStart, long sessionExpirySeconds, javax.net.SocketFactory tls)
            throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
        PahoV5Client wrapper = new PahoV5Client(client);
        client.setCallback(wrapper.inboxListener());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(cleanStart);
        options.setSessionExpiryInterval(sessionExpirySeconds);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(10);
        if (tls != null) {
            options.setSocketFactory(tls);
        }
        if (username != null) {
            options.setUserName(username);
        }
        if (password != null) {
            options.setPassword(password.getBytes(StandardCharsets.UTF_8));
        }
        try {
            IMqttToken connected = client.connect(options);
            connected.waitForCompletion(WAIT_MILLIS);
            wrapper.gate.brokerReceiveMaximum(connected.getResponseProperties() == null ? null
                    : connected.getResponseProperties().getReceiveMaximum());
        } catch (MqttException e) {
            client.close(true);
            throw e;
        }
        return wrapper;
    }

    /** Returns the SUBACK reason code: 0..2 granted QoS, 0x80 and above refused (0x87 = not authorized). */
    public int subscribe(String filter, int qos) throws MqttException {
        IMqttToken token = client.subscribe(filter, qos);
        token.waitForCompletion(WAIT_MILLIS);
        return token.getReasonCodes()[0];
    }

    /** Publishes QoS 1 and returns the PUBACK reason code (0 success, 0x10 no subscribers, 0x87 not authorized). */
    public int publishQos1(String topic, byte[] payload, boolean retain) throws MqttException {
        MqttMessage message = new MqttMessage(payload, 1, retain, new MqttProperties());
        IMqttToken token = gate.publish(topic, message); // 32202 at random otherwise (see there)
        token.waitForCompletion(WAIT_MILLIS);
        int[] codes = token.getReasonCodes();
        return codes == null || codes.length == 0 ? 0 : codes[0];
    }

    public Optional<Message> receive(Duration timeout) throws InterruptedException {
        return Optional.ofNullable(inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS));
    }

    public boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public void close() throws MqttException {
        try {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(WAIT_MILLIS);
            }
        } finally {
            client.close(true);
        }
    }

    private MessageListener inboxListener() {
        return (topic, message) -> inbox.add(new Message(topic, message.getPayload(), message.getQos(), message.isRetained()));
    }
}
