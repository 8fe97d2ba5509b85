package org.iomtpq.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.iomtpq.gateway.protocol.Base64s;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.DeviceSession;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.iomtpq.gateway.simulator.VitalSigns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 item 2: one session's telemetry spread over two instances on one MongoDB keeps PROTOCOL.md §6 exactly —
 * no seq more than 64 behind the session's highest stored one is accepted, whichever instance stored that one. B has
 * the session cached with a top of 3 when A stores up to 100; a seq of 20 sent to B afterwards must be REPLAY (B's own
 * view would have let it in), one of 40 must be stored.
 */
class SharedStoreReplayWindowIT {

    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    @Test
    void aSeqMoreThan64BehindWhatAnotherInstanceStoredIsReplay() throws Exception {
        String masterKey = Base64.getEncoder().encodeToString(RANDOM.generateSeed(32)); // one logical gateway's
        try (GatewayFixture a = GatewayFixture.start(dir.resolve("a"), Map.of("iomt.master-key", masterKey));
             GatewayFixture b = GatewayFixture.start(dir.resolve("b"), Map.of("iomt.master-key", masterKey,
                     "iomt.mongo.uri", a.runtime().mongoUri(), "iomt.mqtt.url", a.mqttUrl()))) {
            DeviceIdentity id = DeviceIdentity.generate("SPO2_WINDOW_001", "pulse-oximeter", RANDOM);
            GatewayFixture.Response enrolled = a.postAsOperator("/devices", Forge.enroll(id, Instant.now(), RANDOM));
            assertEquals(201, enrolled.status(), enrolled.body());
            DeviceSession session = new SimulatedDevice(id, b.httpTransport(), RANDOM)
                    .handshake(GatewayFixture.GATEWAY_ID, b.gatewayKey());
            List<String> sealed = new ArrayList<>();
            for (int seq = 1; seq <= 100; seq++) {
                sealed.add(MessageCodec.toJson(session.seal(VitalSigns.sample("pulse-oximeter", RANDOM))));
            }
            for (int seq = 1; seq <= 3; seq++) {
                assertStored(b.post("/telemetry", sealed.get(seq - 1)), seq); // B caches the session, its top 3
            }
            for (int seq = 4; seq <= 100; seq++) {
                if (seq != 20 && seq != 40) {
                    assertStored(a.post("/telemetry", sealed.get(seq - 1)), seq);
                }
            }

            GatewayFixture.Response old = b.post("/telemetry", sealed.get(19));
            assertEquals(409, old.status(), "seq 20 <= 100 - 64 at B: " + old.body());
            assertTrue(old.body().contains("\"REPLAY\"") && old.body().contains("\"seq\":20"), old.body());
            assertEquals(0, a.observationCount(Base64s.encode(session.sessionId()), 20), "not stored");
            assertStored(b.post("/telemetry", sealed.get(39)), 40); // 40 > 36: inside the window
        }
    }

    private static void assertStored(GatewayFixture.Response r, int seq) {
        assertEquals(201, r.status(), "seq " + seq + ": " + r.body());
    }
}
