package org.iomtpq.gateway.simulator;

import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.iomtpq.gateway.net.NoDelaySocketFactory;

/**
 * The other end of the bare-broker ceiling: subscribes to every device's telemetry topic with QoS 1 and only counts
 * what the broker delivers (Paho acknowledges each message when the callback returns). No gateway, no store: what
 * the same publishers reach through the same broker with nothing behind it is the ceiling the gateway is held to.
 */
final class CountingSubscriber implements Arrivals {

    static final String TOPIC = "iomt/v1/+/up/telemetry";

    private final MqttClient client;
    private final AtomicLong delivered = new AtomicLong();

    CountingSubscriber(String brokerUrl) {
        try {
            client = new MqttClient(brokerUrl, "bench-counting-subscriber", new MemoryPersistence());
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(true);
            if (brokerUrl.startsWith("tcp://")) {
                options.setSocketFactory(new NoDelaySocketFactory());
            }
            client.setCallback((MessageListener) (topic, message) -> delivered.incrementAndGet());
            client.connect(options);
            client.subscribe(TOPIC, 1);
        } catch (MqttException e) {
            throw new IllegalStateException("counting subscriber cannot connect to " + brokerUrl + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long countAll() {
        return delivered.get();
    }

    @Override
    public void sample(byte[] sessionId, long seq, long sentNanos) {
        // not timed: the ceiling is a rate
    }

    @Override
    public LatencySummary finish() {
        return LatencySummary.of(new double[0]);
    }

    @Override
    public double[] takeRecentLatencies() {
        return new double[0];
    }

    @Override
    public int lost() {
        return 0;
    }

    @Override
    public int skipped() {
        return 0;
    }

    @Override
    public void close() {
        try {
            client.disconnect();
            client.close();
        } catch (MqttException e) {
            // closing anyway
        }
    }
}
