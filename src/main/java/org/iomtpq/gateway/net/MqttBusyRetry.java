package org.iomtpq.gateway.net;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * Sends a QoS 1 publish again when Paho's MQTT 5 client refused it with 32202, "too many publishes in progress".
 * <p>
 * Paho refuses a publish while its own count of unacknowledged publishes is at the broker's Receive Maximum (10 on
 * HiveMQ by default). It lowers that count on its callback thread, after the PUBACK has already released the caller
 * (eclipse-paho/paho.mqtt.java#551), so even a client that publishes one message at a time is refused now and then
 * when that thread falls behind — CI saw it after a few hundred publishes; here one in 1,000–5,000. With more
 * concurrent publishers than the Receive Maximum (the gateway answers from several threads) it is refused by design.
 * <p>
 * A refused publish was never sent: Paho gives its packet id back. Waiting a moment and sending it again therefore
 * cannot duplicate a message; it makes the limit back-pressure instead of a lost answer.
 */
public final class MqttBusyRetry {

    /** Long enough for any callback-thread lag or a burst of in-flight answers; a broker not acking at all fails. */
    public static final Duration GIVE_UP_AFTER = Duration.ofSeconds(5);

    private static final long FIRST_PAUSE_NANOS = 100_000;
    private static final long LONGEST_PAUSE_NANOS = 20_000_000;

    /** One publish, as the client's own call. */
    @FunctionalInterface
    public interface Publish {
        void run() throws MqttException;
    }

    private MqttBusyRetry() {
    }

    /** Runs the publish; refused as busy, runs it again after a short, growing pause, for at most {@link #GIVE_UP_AFTER}. */
    public static void publish(Publish publish) throws MqttException {
        publish(publish, GIVE_UP_AFTER);
    }

    static void publish(Publish publish, Duration giveUpAfter) throws MqttException {
        long deadline = System.nanoTime() + giveUpAfter.toNanos();
        long pause = FIRST_PAUSE_NANOS;
        while (true) {
            try {
                publish.run();
                return;
            } catch (MqttException e) {
                if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT || System.nanoTime() - deadline > 0
                        || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
        }
    }
}
