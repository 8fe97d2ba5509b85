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
    /** The reason code of the broker's DISCONNECT, once it sent one (-1 before). */
    private final java.util.concurrent.atomic.AtomicInteger serverDisconnect = new java.util.concurrent.atomic.AtomicInteger(-1);

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

    /**
     * Publishes QoS 1 where the broker is expected to refuse, and returns how it refused: the PUBACK reason code, or
     * the reason code of the DISCONNECT it answered with instead (HiveMQ does that for a PUBLISH its ACL forbids);
     * 0 if it took the message. Which of PUBACK, DISCONNECT or the token's failure Paho reports first varies.
     */
    public int publishQos1Refusal(String topic, byte[] payload, boolean retain) throws MqttException, InterruptedException {
        MqttMessage message = new MqttMessage(payload, 1, retain, new MqttProperties());
        IMqttToken token;
        try {
            token = gate.publish(topic, message);
        } catch (MqttException e) {
            return awaitServerDisconnect(e);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (System.nanoTime() < deadline) {
            if (serverDisconnect.get() >= 0) {
                return serverDisconnect.get();
            }
            if (token.isComplete()) {
                if (token.getException() != null) {
                    return awaitServerDisconnect(token.getException());
                }
                int[] codes = token.getReasonCodes();
                return codes == null || codes.length == 0 ? 0 : codes[0];
            }
            Thread.sleep(20);
        }
        throw new MqttException(MqttException.REASON_CODE_CLIENT_EXCEPTION);
    }

    private int awaitServerDisconnect(MqttException failure) throws MqttException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (serverDisconnect.get() < 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        if (serverDisconnect.get() >= 0) {
            return serverDisconnect.get();
        }
        // Paho may tell the DISCONNECT only in the failed token: 32204 "... Disconnect RC: 135 ..."
        java.util.regex.Matcher rc = java.util.regex.Pattern.compile("Disconnect RC: (\\d+)")
                .matcher(String.valueOf(failure.getMessage()));
        if (rc.find()) {
            return Integer.parseInt(rc.group(1));
        }
        throw failure;
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
        return new MessageListener() {
            @Override
            public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage message) {
                inbox.add(new Message(topic, message.getPayload(), message.getQos(), message.isRetained()));
            }

            @Override
            public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse response) {
                if (response.getException() == null) { // a DISCONNECT packet, not a lost connection
                    serverDisconnect.compareAndSet(-1, response.getReturnCode());
                }
            }
        };
    }
}
