package org.iomtpq.gateway.simulator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import javax.net.SocketFactory;

import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.iomtpq.gateway.net.GatedMqttClient;
import org.iomtpq.gateway.net.NoDelaySocketFactory;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.Step;

/**
 * The device steps over MQTT 5, QoS 1: publish on {@code iomt/v1/{id}/up/{step}}, answers on {@code iomt/v1/{id}/down},
 * matched by type or by an error's {@code inReplyTo} (PROTOCOL.md §3). One client per device, as a real device has.
 */
public final class MqttDeviceTransport implements DeviceTransport {

    private final String brokerUrl;
    private final SocketFactory tls;
    private final Function<String, String> passwordOf;
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();

    public MqttDeviceTransport(String brokerUrl) {
        this(brokerUrl, null, null);
    }

    /**
     * @param tls        for ssl://: the sockets (trusting the broker's CA), or null for Paho's default
     * @param passwordOf a device's broker password by deviceId (its user name, PROTOCOL.md §3), or null: no login
     */
    public MqttDeviceTransport(String brokerUrl, SocketFactory tls, Function<String, String> passwordOf) {
        this.brokerUrl = brokerUrl;
        this.tls = tls;
        this.passwordOf = passwordOf;
    }

    private record Connection(MqttClient client, BlockingQueue<String> answers) {
    }

    @Override
    public Optional<GatewayAnswer> send(String deviceId, Step step, String json, Duration timeout) {
        Connection c = connection(deviceId);
        try {
            MqttMessage message = new MqttMessage(json.getBytes(StandardCharsets.UTF_8));
            message.setQos(1);
            c.client().publish("iomt/v1/" + deviceId + "/up/" + step.wire(), message);
        } catch (MqttException e) {
            throw new IllegalStateException("MQTT publish failed: " + e.getMessage(), e);
        }
        if (step == Step.TELEMETRY) {
            return Optional.empty();
        }
        return awaitAnswer(c, step, timeout);
    }

    @Override
    public Optional<GatewayAnswer> pendingError(String deviceId, Duration wait) {
        return awaitAnswer(connection(deviceId), Step.TELEMETRY, wait);
    }

    private static Optional<GatewayAnswer> awaitAnswer(Connection c, Step step, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                String json = c.answers().poll(left, TimeUnit.NANOSECONDS);
                if (json != null && answers(json, step)) {
                    return Optional.of(new GatewayAnswer(-1, json));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** enroll → enrolled, hello → server-hello, finished → established, rotate → rotation, errors by inReplyTo. */
    static boolean answers(String json, Step step) {
        String type = MessageCodec.peekType(json.getBytes(StandardCharsets.UTF_8));
        if ("error".equals(type)) {
            return json.contains("\"inReplyTo\":\"" + step.wire() + "\"");
        }
        return switch (step) {
            case ENROLL -> "enrolled".equals(type);
            case HELLO -> "server-hello".equals(type);
            case FINISHED -> "established".equals(type);
            case ROTATE -> "rotation".equals(type);
            case TELEMETRY -> false;
        };
    }

    private Connection connection(String deviceId) {
        return connections.computeIfAbsent(deviceId, id -> {
            try {
                MqttConnectionOptions options = new MqttConnectionOptions();
                options.setCleanStart(true);
                options.setAutomaticReconnect(true);
                if (brokerUrl.startsWith("tcp://")) {
                    options.setSocketFactory(new NoDelaySocketFactory());
                } else if (tls != null) {
                    options.setSocketFactory(tls);
                }
                if (passwordOf != null) {
                    options.setUserName(id);
                    options.setPassword(passwordOf.apply(id).getBytes(StandardCharsets.UTF_8));
                }
                // gated: Paho refuses publishes at random otherwise (32202, see MqttPublishGate)
                MqttClient client = GatedMqttClient.open(brokerUrl, id, options);
                BlockingQueue<String> answers = new LinkedBlockingQueue<>();
                client.setCallback(collector(answers));
                try {
                    client.subscribe("iomt/v1/" + id + "/down", 1);
                } catch (MqttException e) {
                    client.disconnectForcibly(1_000);
                    client.close(true);
                    throw e;
                }
                return new Connection(client, answers);
            } catch (MqttException e) {
                throw new IllegalStateException("cannot connect device " + id + " to " + brokerUrl + ": " + e.getMessage(), e);
            }
        });
    }

    private static MessageListener collector(BlockingQueue<String> answers) {
        return (topic, message) -> answers.add(new String(message.getPayload(), StandardCharsets.UTF_8));
    }

    @Override
    public String name() {
        return "mqtt";
    }

    @Override
    public void close() {
        connections.values().forEach(c -> {
            try {
                c.client().disconnect();
                c.client().close();
            } catch (MqttException e) {
                // closing anyway
            }
        });
        connections.clear();
    }
}
