package org.iomtpq.gateway.it.chain;

import static org.iomtpq.gateway.it.chain.ChainRig.CHAIN_WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import org.iomtpq.gateway.chain.RegistryClient;
import org.iomtpq.gateway.it.Answers;
import org.iomtpq.gateway.it.Forge;
import org.iomtpq.gateway.it.GatewayFixture;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.iomtpq.gateway.simulator.VitalSigns;
import org.iomtpq.gateway.testsupport.EthNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 7 on a real Anvil: devices revoked and enrolled again with new keys over HTTP (PROTOCOL.md §4, §7)
 * while {@value #BUSY_DEVICES} others keep handshaking and sending telemetry. Each re-enrollment comes at its own
 * delay after its revocation, so that across the devices it lands before, between and after the deactivateKey of the
 * old key is mined and its KeyDeactivated event is handled; every one must end ACTIVE with its new commitment, which
 * the registry holds as active.
 */
class ReEnrollmentRaceIT {

    private static final int BUSY_DEVICES = 15;
    private static final int RE_ENROLLED = 8;
    /** Between one re-enrolled device's delay and the next's: the relay and the log consumer poll every 250 ms. */
    private static final long DELAY_STEP_MS = 120;

    @TempDir
    static Path dataDir;

    private static DevChainGateway rig;
    private static GatewayFixture gw;
    private static RegistryClient reader;
    private static final SecureRandom RANDOM = new SecureRandom();

    @BeforeAll
    static void start() {
        rig = DevChainGateway.start(EthNode.Kind.ANVIL, dataDir);
        gw = rig.gw();
        reader = rig.reader();
    }

    @AfterAll
    static void stop() {
        ChainRig.closeAll(rig);
    }

    @Test
    void devicesRevokedAndEnrolledAgainWithNewKeysEndActiveWithTheNewKeysWhileOthersAreBusy() throws Exception {
        List<SimulatedDevice> targets = enrolledAndActive("REENROLL_%02d", RE_ENROLLED);
        List<String> stuck = new ArrayList<>();
        try (BusyDevices busy = new BusyDevices(gw, enrolledAndActive("BUSY_%02d", BUSY_DEVICES))) {
            ExecutorService pool = Executors.newFixedThreadPool(RE_ENROLLED);
            try {
                List<Future<Optional<String>>> outcomes = new ArrayList<>();
                for (int i = 0; i < RE_ENROLLED; i++) {
                    SimulatedDevice target = targets.get(i);
                    long delayMs = i * DELAY_STEP_MS;
                    outcomes.add(pool.submit(() -> stuckAfterEnrollingAgain(revokeAndEnrollAgain(target, delayMs))));
                }
                for (Future<Optional<String>> f : outcomes) {
                    f.get().ifPresent(stuck::add);
                }
            } finally {
                pool.shutdownNow();
            }
            busy.assertNoneFailed();
        }
        assertTrue(stuck.isEmpty(), stuck.size() + " of " + RE_ENROLLED + " re-enrolled devices not ACTIVE with their new keys "
                + "within " + CHAIN_WAIT.toSeconds() + " s:\n" + String.join("\n", stuck));
    }

    /** Revokes {@code device}, waits {@code delayMs}, enrolls it again with new keys; returns the new identity. */
    private static DeviceIdentity revokeAndEnrollAgain(SimulatedDevice device, long delayMs) throws InterruptedException {
        assertEquals("REVOKED", gw.operator().revoke(device.deviceId(), "re-enrolled with new keys").path("status").asText());
        Thread.sleep(delayMs);
        DeviceIdentity next = DeviceIdentity.generate(device.deviceId(), device.identity().deviceType(), RANDOM);
        GatewayFixture.Response created = gw.postAsOperator("/devices", Forge.enroll(next, Instant.now(), RANDOM));
        assertEquals(201, created.status(), device.deviceId() + ": " + created.body());
        JsonNode enrolled = Answers.json(created.body());
        assertEquals("PENDING_CHAIN", enrolled.path("status").asText(), created.body());
        assertEquals(Hex0x.encode(next.keyCommitment()), enrolled.path("keyCommitment").asText());
        return next;
    }

    /**
     * Empty when the device became ACTIVE with its new keys (and no revocationTxHash: they were never revoked), the
     * registry holds them as active and they handshake and send telemetry; otherwise what went wrong.
     */
    private static Optional<String> stuckAfterEnrollingAgain(DeviceIdentity next) {
        String deviceId = next.deviceId();
        String commitment = Hex0x.encode(next.keyCommitment());
        JsonNode[] last = new JsonNode[1];
        try {
            GatewayFixture.await(deviceId + " ACTIVE with its new keys", CHAIN_WAIT, () -> {
                last[0] = ChainRig.registration(gw, deviceId);
                return "ACTIVE".equals(last[0].path("status").asText()) && commitment.equals(last[0].path("keyCommitment").asText())
                        ? Optional.of(last[0]) : Optional.empty();
            });
        } catch (AssertionError e) {
            return Optional.of(deviceId + ": registration " + last[0] + "; outbox " + outboxOf(deviceId));
        }
        if (!last[0].path("revocationTxHash").isNull()) {
            return Optional.of(deviceId + ": the new enrollment names its old key's deactivation " + last[0]);
        }
        ChainRig.awaitOnChain(reader, deviceId, commitment, true);
        SimulatedDevice device = new SimulatedDevice(next, gw.httpTransport(), RANDOM);
        device.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
        device.send(VitalSigns.sample(next.deviceType(), RANDOM));
        return Optional.empty();
    }

    private static List<String> outboxOf(String deviceId) {
        List<String> out = new ArrayList<>();
        gw.db().getCollection("outbox").find(Filters.eq("deviceId", deviceId))
                .forEach(d -> out.add(d.getString("op") + " " + d.getString("status") + " " + d.getString("commitment")
                        + " (" + d.getString("lastError") + ")"));
        return out;
    }

    private static List<SimulatedDevice> enrolledAndActive(String idFormat, int count) {
        List<SimulatedDevice> devices = IntStream.range(0, count).mapToObj(i -> SimulatedDevice.generate(
                String.format(idFormat, i), "pulse-oximeter", gw.httpTransport(), RANDOM)).toList();
        devices.forEach(SimulatedDevice::enroll);
        devices.forEach(d -> ChainRig.awaitStatus(gw, d.deviceId(), "ACTIVE"));
        return devices;
    }
}
