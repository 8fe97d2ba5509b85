package org.iomtpq.gateway.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.iomtpq.gateway.crypto.MlKemKeyPair;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.Reading;
import org.iomtpq.gateway.protocol.Step;
import org.iomtpq.gateway.protocol.TelemetryMessage;
import org.junit.jupiter.api.Test;

class LocalHandshakeTransportTest {

    /** Records what would have been published. */
    private static final class Recorder implements DeviceTransport {
        final List<String> sent = new ArrayList<>();

        @Override
        public Optional<GatewayAnswer> send(String deviceId, Step step, String json, Duration timeout) {
            sent.add(step.wire() + " " + json);
            return Optional.empty();
        }

        @Override
        public String name() {
            return "recorder";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void handshakesAreAnsweredLocallyAndOnlyTelemetryGoesOutSealedUnderTheNewSession() {
        SecureRandom random = new SecureRandom();
        MlKemKeyPair gateway = MlKemKeyPair.generate(random);
        Recorder wire = new Recorder();
        LocalHandshakeTransport local = new LocalHandshakeTransport(wire, gateway, random);
        SimulatedDevice device = SimulatedDevice.generate("BARE_0001", "thermometer", local, random);
        local.enroll(device);

        device.handshake(LocalHandshakeTransport.GATEWAY_ID, gateway.publicKey());
        TelemetryMessage m = device.send(new Reading("2026-11-24T12:00:00Z", Map.of("temperature", new BigDecimal("37.1"))));

        assertEquals(1, wire.sent.size(), "hello and finished never reach the broker");
        assertTrue(wire.sent.get(0).startsWith(Step.TELEMETRY.wire() + " "));
        TelemetryMessage published = MessageCodec.parseTelemetry(
                wire.sent.get(0).substring(Step.TELEMETRY.wire().length() + 1).getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(device.session().sessionId(), published.sessionId());
        assertEquals(1, published.seq());
        assertEquals(m.seq(), published.seq());
    }
}
