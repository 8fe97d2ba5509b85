package org.iomtpq.gateway.simulator;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.iomtpq.gateway.crypto.MlKemKeyPair;
import org.iomtpq.gateway.crypto.MlKemPublicKey;
import org.iomtpq.gateway.protocol.EstablishedMessage;
import org.iomtpq.gateway.protocol.GatewayHandshake;
import org.iomtpq.gateway.protocol.HelloMessage;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.PendingHandshake;
import org.iomtpq.gateway.protocol.Step;

/**
 * For the bare-broker ceiling, where no gateway runs: hello and finished are answered here, in memory, by
 * protocol/'s gateway side (so devices get real sessions and seal real AES-GCM telemetry of the usual size), and
 * telemetry goes out through the wrapped MQTT transport exactly as against a gateway. The finished MAC is not
 * checked: nothing here is a security decision.
 */
final class LocalHandshakeTransport implements DeviceTransport {

    static final String GATEWAY_ID = "bench-bare-broker";

    private final DeviceTransport telemetry;
    private final MlKemKeyPair gatewayKeys;
    private final SecureRandom random;
    private final Map<String, MlKemPublicKey> deviceKeys = new ConcurrentHashMap<>();
    private final Map<String, byte[]> pendingSessions = new ConcurrentHashMap<>();

    LocalHandshakeTransport(DeviceTransport telemetry, MlKemKeyPair gatewayKeys, SecureRandom random) {
        this.telemetry = telemetry;
        this.gatewayKeys = gatewayKeys;
        this.random = random;
    }

    /** What enrollment would have told the gateway: the device's static KEM key. */
    void enroll(SimulatedDevice device) {
        deviceKeys.put(device.deviceId(), device.identity().kemKeyPair().publicKey());
    }

    @Override
    public Optional<GatewayAnswer> send(String deviceId, Step step, String json, Duration timeout) {
        return switch (step) {
            case HELLO -> {
                HelloMessage hello = MessageCodec.parseHello(json.getBytes(StandardCharsets.UTF_8));
                PendingHandshake pending = GatewayHandshake.respond(hello, GATEWAY_ID, gatewayKeys,
                        deviceKeys.get(deviceId), Instant.now(), Duration.ofHours(24), 1_000_000, random);
                pending.keys().destroy();
                pendingSessions.put(deviceId, pending.sessionId());
                yield Optional.of(new GatewayAnswer(-1, MessageCodec.toJson(pending.serverHello())));
            }
            case FINISHED -> Optional.of(new GatewayAnswer(-1,
                    MessageCodec.toJson(new EstablishedMessage(deviceId, pendingSessions.remove(deviceId)))));
            case TELEMETRY -> telemetry.send(deviceId, step, json, timeout);
            default -> throw new UnsupportedOperationException(step.wire() + " has no gateway here");
        };
    }

    @Override
    public Optional<GatewayAnswer> pendingError(String deviceId, Duration wait) {
        return telemetry.pendingError(deviceId, wait);
    }

    @Override
    public String name() {
        return "mqtt, handshakes answered locally";
    }

    @Override
    public void close() {
        telemetry.close();
    }
}
