package org.iomtpq.gateway.net;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * Hands QoS 1 publishes to a Paho MQTT 5 client one at a time, each only once Paho counts fewer unacknowledged
 * publishes than the broker's Receive Maximum, so that Paho never refuses one with 32202 "too many publishes in
 * progress".
 * <p>
 * Paho refuses a publish while its count is at the Receive Maximum the broker granted (10 on HiveMQ). It lowers that
 * count on its callback thread, after the PUBACK has already released the caller (eclipse-paho/paho.mqtt.java#551), so
 * even one publish at a time was refused now and then (CI; a probe: after 74–5,390 sequential publishes), and the
 * gateway answers from many threads. Retrying a refused publish is not clean either: Paho has already given the topic
 * a topic alias by then and does not take it back, so a retry (or any later publish to that topic on the connection)
 * goes out with an alias the broker never learnt, a protocol error for which the broker disconnects. Waiting until
 * Paho cannot refuse avoids both.
 * <p>
 * For clean-start sessions (all of ours): after a reconnect with a persistent session Paho re-queues old publishes
 * whose tokens it no longer counts. If the broker lowered its maximum on an automatic reconnect (Paho does not tell,
 * this gate keeps the first CONNACK's value), a refusal can still happen: the gate then lowers its own value to what
 * Paho had in flight and tries again after a pause, as the lesser evil (an answer lost for sure against a possible
 * reconnect caused by the stale alias), within the same time limit. A client that is not connected is not waited
 * for: Paho refuses at once with "not connected".
 */
public final class MqttPublishGate {

    /** Longer than any backlog of acknowledgements; a broker not acknowledging at all fails the publish. */
    public static final Duration GIVE_UP_AFTER = Duration.ofSeconds(5);

    private static final int MQTT_DEFAULT_RECEIVE_MAXIMUM = 65_535;
    private static final long FIRST_PAUSE_NANOS = 50_000;
    private static final long LONGEST_PAUSE_NANOS = 10_000_000;

    /** What the gate hands a publish to: Paho's own call. */
    @FunctionalInterface
    public interface Publish {
        IMqttToken run() throws MqttException;
    }

    private final MqttAsyncClient client;
    private final Duration giveUpAfter;
    private final ReentrantLock turn = new ReentrantLock(true); // first come, first handed over
    private volatile int receiveMaximum = MQTT_DEFAULT_RECEIVE_MAXIMUM;

    public MqttPublishGate(MqttAsyncClient client) {
        this(client, GIVE_UP_AFTER);
    }

    MqttPublishGate(MqttAsyncClient client, Duration giveUpAfter) {
        this.client = client;
        this.giveUpAfter = giveUpAfter;
    }

    /** The Receive Maximum from the broker's CONNACK ({@code null}: it named none, MQTT's default applies). */
    public void brokerReceiveMaximum(Integer fromConnack) {
        receiveMaximum = fromConnack == null ? MQTT_DEFAULT_RECEIVE_MAXIMUM : fromConnack;
    }

    int receiveMaximum() {
        return receiveMaximum;
    }

    /** Publishes through the client once it has room; returns Paho's token (not yet acknowledged). */
    public IMqttToken publish(String topic, MqttMessage message) throws MqttException {
        return publish(() -> client.publish(topic, message));
    }

    /**
     * Paho refuses when its in-flight count (sent, plus acknowledged but not yet counted down) is at the maximum. Its
     * sender thread raises that count for each queued publish it sends, and a queued publish still has its token, as
     * has one sent and not acknowledged: while count + tokens is below the maximum, the next refusal check passes
     * whatever the sender does meanwhile (publishes pass the lock one at a time, so nothing else adds to either).
     */
    private boolean hasRoom() {
        return client.getInFlightMessageCount() + client.getPendingTokens().length < receiveMaximum;
    }

    IMqttToken publish(Publish publish) throws MqttException {
        long deadline = System.nanoTime() + giveUpAfter.toNanos();
        try {
            turn.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MqttException(e);
        }
        try {
            long pause = FIRST_PAUSE_NANOS;
            while (true) {
                if (!client.isConnected() || hasRoom()) {
                    try {
                        return publish.run();
                    } catch (MqttException e) {
                        if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT) {
                            throw e;
                        }
                        receiveMaximum = Math.max(1, Math.min(receiveMaximum, client.getInFlightMessageCount()));
                    }
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new MqttException(MqttClientException.REASON_CODE_MAX_INFLIGHT);
                }
                LockSupport.parkNanos(pause);
                if (Thread.currentThread().isInterrupted()) {
                    throw new MqttException(new InterruptedException("interrupted while waiting to publish"));
                }
                pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
            }
        } finally {
            turn.unlock();
        }
    }
}
