package org.iomtpq.gateway.it.chain;

import org.iomtpq.gateway.simulator.MessageListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.iomtpq.gateway.it.Answers;

/**
 * Everything the gateway publishes on one device's down topic, seen by a separate client (the embedded broker has no
 * ACL): the device transport keeps only the first answer of each type, but chain mode sends a second one later
 * (`enrolled`/`rotation` ACTIVE, or an UNAVAILABLE error for a dropped rotation).
 */
final class DownTopicWatcher implements AutoCloseable {

    private final MqttClient client;
    private final BlockingQueue<String> seen = new LinkedBlockingQueue<>();

    DownTopicWatcher(String brokerUrl, String deviceId) {
        try {
            client = new MqttClient(brokerUrl, "watch-" + UUID.randomUUID(), new MemoryPersistence());
            client.setCallback(collector(seen));
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(true);
            client.connect(options);
            client.subscribe("iomt/v1/" + deviceId + "/down", 1);
        } catch (MqttException e) {
            throw new IllegalStateException("watcher cannot connect to " + brokerUrl + ": " + e.getMessage(), e);
        }
    }

    /** The next message (in arrival order) matching {@code wanted}; earlier non-matching ones are consumed. */
    Optional<JsonNode> next(Predicate<JsonNode> wanted, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                String json = seen.poll(left, TimeUnit.NANOSECONDS);
                if (json != null && wanted.test(Answers.json(json))) {
                    return Optional.of(Answers.json(json));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    static Predicate<JsonNode> typeAndStatus(String type, String status) {
        return j -> type.equals(j.path("type").asText()) && status.equals(j.path("status").asText());
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

    private static MessageListener collector(BlockingQueue<String> seen) {
        return (topic, message) -> seen.add(new String(message.getPayload(), StandardCharsets.UTF_8));
    }
}
