package org.iomtpq.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;

import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.DeviceSession;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.iomtpq.gateway.simulator.VitalSigns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway instances on one MongoDB, without a chain: a device revoked through instance A is refused by instance
 * B — its open session's telemetry answers DEVICE_REVOKED — within the stated bound (README "Running several
 * instances": one device-changes poll, 1 s, plus a read), although B caches the session and, since the feed exists,
 * no longer re-reads cached sessions every second (iomt.telemetry.session-recheck-ms is 60 s).
 */
class SharedStoreRevocationIT {

    /** One poll (1 s) plus a read, with room for a loaded CI machine. */
    private static final long BOUND_MS = 2_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    @Test
    void aRevocationAtOneInstanceIsRefusedByTheOtherWithinOnePoll() throws Exception {
        try (GatewayFixture a = GatewayFixture.start(dir.resolve("a"));
             GatewayFixture b = GatewayFixture.start(dir.resolve("b"), Map.of(
                     "iomt.mongo.uri", a.runtime().mongoUri(), "iomt.mqtt.url", a.mqttUrl()))) {
            DeviceIdentity id = DeviceIdentity.generate("SPO2_SHARED_001", "pulse-oximeter", RANDOM);
            GatewayFixture.Response enrolled = a.postAsOperator("/devices", Forge.enroll(id, Instant.now(), RANDOM));
            assertEquals(201, enrolled.status(), enrolled.body());

            SimulatedDevice viaB = new SimulatedDevice(id, b.httpTransport(), RANDOM);
            DeviceSession atB = viaB.handshake(GatewayFixture.GATEWAY_ID, b.gatewayKey());
            for (int i = 0; i < 3; i++) {
                GatewayFixture.Response r = b.post("/telemetry", telemetry(atB));
                assertEquals(201, r.status(), "B caches the session: " + r.body());
            }

            assertEquals("REVOKED", a.operator().revoke(id.deviceId(), "stolen").path("status").asText());
            long revokedAt = System.nanoTime();
            while (true) {
                GatewayFixture.Response r = b.post("/telemetry", telemetry(atB));
                long ms = (System.nanoTime() - revokedAt) / 1_000_000;
                if (r.status() == ErrorCode.DEVICE_REVOKED.httpStatus()) {
                    assertTrue(r.body().contains("DEVICE_REVOKED"), r.body());
                    System.out.println("SharedStoreRevocationIT: B refused the device " + ms + " ms after A revoked it");
                    break;
                }
                assertEquals(201, r.status(), "until B learns of it the session works: " + r.body());
                if (ms > BOUND_MS) {
                    fail("B still accepted telemetry " + ms + " ms after A revoked the device");
                }
                Thread.sleep(50);
            }
        }
    }

    private static String telemetry(DeviceSession session) {
        return MessageCodec.toJson(session.seal(VitalSigns.sample("pulse-oximeter", RANDOM)));
    }
}
