package org.iomtpq.gateway.it;

import static org.iomtpq.gateway.it.Answers.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import org.iomtpq.gateway.it.GatewayFixture.Counts;
import org.iomtpq.gateway.it.GatewayFixture.Response;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.DeviceSession;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.simulator.HttpDeviceTransport;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.opentest4j.AssertionFailedError;

/**
 * One gateway per attack class, a legitimate "canary" device that proves the gateway still serves after each
 * attack, and {@link #refused}: the checks every attack must pass (exact code and status, §8 shape, no leak, no
 * echoed credentials, nothing stored, a REJECTED audit entry, gateway still serving).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AttackSupport {

    /** Small, so seq > maxMessages is cheap to reach; large enough for the replay-window attack (seq 100). */
    static final long MAX_MESSAGES = 200;
    static final Duration WAIT = Duration.ofSeconds(15);
    static final SecureRandom RANDOM = new SecureRandom();

    GatewayFixture gw;
    HttpDeviceTransport http;
    private Path dataDir;
    private DeviceIdentity canary;
    private DeviceSession canarySession;

    @BeforeAll
    void startGateway() throws Exception {
        dataDir = Files.createTempDirectory("iomt-it-attack");
        gw = GatewayFixture.start(dataDir, Map.of("iomt.session.max-messages", String.valueOf(MAX_MESSAGES)));
        http = gw.httpTransport();
        canary = enrolledOverHttp("CANARY_" + getClass().getSimpleName().toUpperCase(), "bp-monitor");
    }

    @AfterAll
    void stopGateway() {
        if (gw != null) {
            gw.close();
        }
        TempDirs.deleteQuietly(dataDir);
    }

    DeviceIdentity enrolledOverHttp(String deviceId, String type) {
        DeviceIdentity identity = DeviceIdentity.generate(deviceId, type, RANDOM);
        Response r = gw.postAsOperator("/devices", Forge.enroll(identity, Instant.now(), RANDOM));
        assertEquals(201, r.status(), r.body());
        return identity;
    }

    DeviceSession handshake(DeviceIdentity identity) {
        return new SimulatedDevice(identity, http, RANDOM).handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
    }

    Response sendTelemetry(DeviceSession session) {
        return gw.post("/telemetry", MessageCodec.toJson(session.seal(Forge.normalReading())));
    }

    /** A legitimate device still gets its reading stored. */
    void stillServes(String afterWhat) {
        if (canarySession == null || canarySession.lastSeq() >= MAX_MESSAGES - 5) {
            canarySession = handshake(canary);
        }
        Response ok = sendTelemetry(canarySession);
        assertEquals(201, ok.status(), "after " + afterWhat + " a legitimate reading must still be stored: " + ok.body());
    }

    /** Runs one HTTP attack and checks everything a rejection must satisfy; returns the error JSON. */
    JsonNode refused(String what, ErrorCode code, String inReplyTo, Supplier<Response> attack) {
        Counts before = gw.counts();
        long audited = gw.rejectedAudits(code);
        Response r = attack.get();
        JsonNode error;
        try {
            error = assertError(r, code, inReplyTo, gw.operatorToken(), gw.auditorToken());
        } catch (AssertionFailedError e) {
            throw new AssertionFailedError(what + ": " + e.getMessage(), e);
        }
        assertEquals(before, gw.counts(), what + ": nothing may be stored");
        // rejections are audited without holding up the answer: wait for the entry
        GatewayFixture.awaitTrue(what + ": the rejection must be audited with status REJECTED", Duration.ofSeconds(10),
                () -> gw.rejectedAudits(code) > audited);
        stillServes(what);
        return error;
    }
}
