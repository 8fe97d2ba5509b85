package org.iomtpq.gateway.simulator;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.iomtpq.gateway.crypto.MlKemPublicKey;
import org.iomtpq.gateway.protocol.DeviceHandshake;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.DeviceSession;
import org.iomtpq.gateway.protocol.EnrolledMessage;
import org.iomtpq.gateway.protocol.ErrorMessage;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.Reading;
import org.iomtpq.gateway.protocol.RotationMessage;
import org.iomtpq.gateway.protocol.ServerHelloMessage;
import org.iomtpq.gateway.protocol.Step;
import org.iomtpq.gateway.protocol.TelemetryMessage;

/**
 * A device built only on protocol/'s device side, as a device SDK would be: enroll, handshake with a pinned gateway
 * key, send encrypted readings, rotate keys. Errors from the gateway surface as {@link GatewayRejection}.
 */
public final class SimulatedDevice {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final DeviceTransport transport;
    private final SecureRandom random;
    private DeviceIdentity identity;
    private DeviceSession session;

    public SimulatedDevice(DeviceIdentity identity, DeviceTransport transport, SecureRandom random) {
        this.identity = identity;
        this.transport = transport;
        this.random = random;
    }

    public static SimulatedDevice generate(String deviceId, String deviceType, DeviceTransport transport, SecureRandom random) {
        return new SimulatedDevice(DeviceIdentity.generate(deviceId, deviceType, random), transport, random);
    }

    public String deviceId() {
        return identity.deviceId();
    }

    public DeviceIdentity identity() {
        return identity;
    }

    public DeviceTransport transport() {
        return transport;
    }

    public EnrolledMessage enroll() {
        String answer = exchange(Step.ENROLL, MessageCodec.toJson(identity.enrollMessage(Instant.now(), random)));
        return MessageCodec.parseEnrolled(bytes(answer));
    }

    /** The mutual KEM handshake against the pinned gateway key; afterwards readings can be sent. */
    public DeviceSession handshake(String gatewayId, MlKemPublicKey pinnedGatewayKey) {
        DeviceHandshake handshake = DeviceHandshake.start(identity, gatewayId, pinnedGatewayKey, random);
        ServerHelloMessage serverHello = MessageCodec.parseServerHello(bytes(
                exchange(Step.HELLO, MessageCodec.toJson(handshake.hello()))));
        DeviceSession established = handshake.complete(serverHello);
        MessageCodec.parseEstablished(bytes(exchange(Step.FINISHED, MessageCodec.toJson(handshake.finished()))));
        session = established;
        return established;
    }

    /** The current session, or null before the first handshake. */
    public DeviceSession session() {
        return session;
    }

    /** Encrypts and sends one reading; over HTTP the answer is the ack (or an error), over MQTT only errors come back. */
    public TelemetryMessage send(Reading reading) {
        if (session == null) {
            throw new IllegalStateException(deviceId() + " has no session: handshake first");
        }
        TelemetryMessage message = session.seal(reading);
        sendRaw(message);
        return message;
    }

    /** Sends an already built telemetry message (tests replay one with it). */
    public void sendRaw(TelemetryMessage message) {
        exchange(Step.TELEMETRY, MessageCodec.toJson(message));
    }

    /** Rotates to freshly generated keys; the old identity is replaced once the gateway agreed. */
    public RotationMessage rotate() {
        DeviceIdentity next = DeviceIdentity.generate(identity.deviceId(), identity.deviceType(), random);
        RotationMessage answer = MessageCodec.parseRotation(bytes(
                exchange(Step.ROTATE, MessageCodec.toJson(identity.rotateTo(next, Instant.now(), random)))));
        identity = next;
        session = null;
        return answer;
    }

    /** MQTT: an error that the gateway sent for earlier telemetry, if one arrives within {@code wait}. */
    public Optional<ErrorMessage> pendingError(Duration wait) {
        return transport.pendingError(deviceId(), wait).map(a -> MessageCodec.parseError(bytes(a.json())));
    }

    private String exchange(Step step, String json) {
        Optional<GatewayAnswer> answer = transport.send(deviceId(), step, json, TIMEOUT);
        if (answer.isEmpty()) {
            if (step == Step.TELEMETRY) {
                return null;
            }
            throw new IllegalStateException("no answer to " + step.wire() + " from the gateway within " + TIMEOUT.toSeconds() + " s");
        }
        if (answer.get().isError()) {
            throw new GatewayRejection(MessageCodec.parseError(bytes(answer.get().json())));
        }
        return answer.get().json();
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
