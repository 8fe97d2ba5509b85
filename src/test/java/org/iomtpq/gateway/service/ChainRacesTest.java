package org.iomtpq.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.mongodb.client.model.Filters;
import org.iomtpq.gateway.chain.ChainUnavailableException;
import org.iomtpq.gateway.chain.DeviceKey;
import org.iomtpq.gateway.chain.RegistryEvent;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.DeviceStatus;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.SignedPayloads;
import org.iomtpq.gateway.protocol.Step;
import org.iomtpq.gateway.store.ApprovalRepository;
import org.iomtpq.gateway.store.AuditRepository;
import org.iomtpq.gateway.store.Collections;
import org.iomtpq.gateway.store.DeviceRecord;
import org.iomtpq.gateway.store.DeviceRepository;
import org.iomtpq.gateway.store.OutboxRepository;
import org.iomtpq.gateway.store.SessionRepository;
import org.iomtpq.gateway.testsupport.InMemoryMongo;
import org.iomtpq.gateway.testsupport.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Races between the relay, the log consumer, handshakes and other relays, with the interleaving forced, over the
 * embedded MongoDB and a scripted chain.
 * <p>
 * Issue 10 item 7, over the embedded MongoDB and a scripted chain: a device revoked and
 * enrolled again with new keys (PROTOCOL.md §4, §7) whose old key's KeyDeactivated event is handled only after the
 * re-enrollment. The log consumer polls on its own and lags behind the relay, which reads its own receipts, so the
 * event may come at any point of the new enrollment's way to ACTIVE. It is about the old key: the new enrollment
 * goes on. A deactivation of the key a record stands on still revokes it here, whoever sent it.
 */
class ChainRacesTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final String DEVICE_ID = "BP_REENROLL_001";
    private static final String OTHER_GATEWAY = "0x00000000000000000000000000000000000000b2";
    private static final Duration STEP = Duration.ofMillis(300);
    private static final Duration PAST_SETTLE = Duration.ofSeconds(11);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ID_HASH = Hex0x.encode(SignedPayloads.deviceIdHash(DEVICE_ID));

    private final InMemoryMongo mongo = new InMemoryMongo();
    private final MutableClock clock = new MutableClock(T0);
    private final DeviceRepository devices = new DeviceRepository(mongo.db());
    private final OutboxRepository outbox = new OutboxRepository(mongo.db());
    private final SessionRepository sessions = new SessionRepository(mongo.db());
    private final AuditTrail audit = new AuditTrail("gw/test", "gw", new AuditRepository(mongo.db()), clock,
            Duration.ofSeconds(10), 20);
    private final ScriptedChain chain = new ScriptedChain();
    /** What the registry's getDeviceKey answers, per deviceIdHash: the test moves it as the scripted chain mines. */
    private final Map<String, DeviceKey> registry = new HashMap<>();
    private boolean registryDown;
    private final OnChainKeys onChain = new OnChainKeys(idHash -> {
        if (registryDown) {
            throw new ChainUnavailableException("node down");
        }
        return registry.getOrDefault(Hex0x.encode(idHash), new DeviceKey(new byte[32], false));
    });
    private final ChainEffects effects = new ChainEffects(devices, sessions, onChain, audit, null, clock);
    private final RevocationService revocation = new RevocationService(devices, sessions, audit, RegistryMode.CHAIN,
            outbox, clock);
    private final EnrollmentService enrollment = new EnrollmentService(devices, new ApprovalRepository(mongo.db()), audit,
            RegistryMode.CHAIN, outbox, clock);
    private final ChainEvents events = new ChainEvents(devices, onChain, effects, revocation, clock);
    private final RotationService rotation = new RotationService(devices, sessions, audit, RegistryMode.CHAIN, outbox, clock);
    private final DeviceNotificationQueue notificationsElsewhere = new DeviceNotificationQueue();
    private final CommitmentCheck commitmentCheck = new CommitmentCheck(onChain, devices, outbox, effects, audit,
            notificationsElsewhere);
    private final OutboxRelay relay = new OutboxRelay(outbox, chain, effects, clock, new OutboxRelay.Limits(16, 4),
            new SubmissionWaits(java.time.Duration.ZERO));

    @AfterEach
    void stop() {
        audit.close();
        mongo.close();
    }

    @Test
    void theOldKeysDeactivationHandledAfterTheReEnrollmentLeavesTheNewKeysToBecomeActive() {
        DeviceIdentity first = enrolledAndActive();
        revocation.revoke(DEVICE_ID, "lost");
        relayUntilMined();
        registryHolds(first, false);
        RegistryEvent lateDeactivation = deactivationOf("deactivateKey", 0);

        DeviceIdentity second = DeviceIdentity.generate(DEVICE_ID, "bp-monitor", RANDOM);
        assertTrue(enroll(second).created());
        events.on(lateDeactivation);
        clock.advance(PAST_SETTLE); // the relay's next rounds, late enough to drop a registration it thinks moot
        relayUntilMined();
        registryHolds(second, true);
        relay.tick();

        assertDevice(DeviceStatus.ACTIVE, second);
        assertEquals(0, openOutboxEntries(), "nothing left to send or to wait for");
    }

    @Test
    void theOldKeysDeactivationHandledAfterTheNewKeysAreActiveChangesNothing() {
        DeviceIdentity first = enrolledAndActive();
        revocation.revoke(DEVICE_ID, "lost");
        DeviceIdentity second = DeviceIdentity.generate(DEVICE_ID, "bp-monitor", RANDOM);
        assertTrue(enroll(second).created(), "enrolled again before the deactivation is even signed");
        relayUntilMined(); // deactivateKey
        registryHolds(first, false);
        relayUntilMined(); // then the registration, which waited for it
        registryHolds(second, true);
        relay.tick();
        assertDevice(DeviceStatus.ACTIVE, second);

        events.on(deactivationOf("deactivateKey", 0)); // the log consumer, far behind (or re-emitting at start)

        assertDevice(DeviceStatus.ACTIVE, second);
    }

    @Test
    void aDeactivationSignedAfterTheReEnrollmentIsNotNamedByTheNewRecord() {
        enrolledAndActive();
        revocation.revoke(DEVICE_ID, "lost");
        enroll(DeviceIdentity.generate(DEVICE_ID, "bp-monitor", RANDOM));

        relayUntilMined(); // deactivateKey of the old key, signed now

        assertNull(devices.find(DEVICE_ID).orElseThrow().revocationTxHash(), "the new enrollment was never revoked");
    }

    @Test
    void aDeactivationOfTheKeyInForceByAnotherGatewayRevokes() {
        DeviceIdentity keys = enrolledAndActive();
        registryHolds(keys, false);

        events.on(new RegistryEvent.KeyDeactivated(hex(ID_HASH), OTHER_GATEWAY, "0xother", 9));

        assertDevice(DeviceStatus.REVOKED, keys);
        assertEquals("0xother", devices.find(DEVICE_ID).orElseThrow().revocationTxHash());
    }

    @Test
    void aDeactivationOfTheKeyARecordWaitsToRegisterRevokes() {
        DeviceIdentity keys = DeviceIdentity.generate(DEVICE_ID, "bp-monitor", RANDOM);
        enroll(keys); // PENDING_CHAIN; another instance registered the same keys and they were deactivated since
        registryHolds(keys, false);

        events.on(new RegistryEvent.KeyDeactivated(hex(ID_HASH), OTHER_GATEWAY, "0xother", 9));

        assertDevice(DeviceStatus.REVOKED, keys);
    }

    @Test
    void aDeactivationHandledWhileTheRegistryCannotBeReadRevokes() {
        DeviceIdentity keys = enrolledAndActive();
        registryDown = true;

        events.on(new RegistryEvent.KeyDeactivated(hex(ID_HASH), OTHER_GATEWAY, "0xother", 9));

        assertDevice(DeviceStatus.REVOKED, keys);
    }

    /**
     * Two relays (instances sharing the outbox while the relay lease changed hands) sent the same registration: the
     * other's transaction was mined first and ours reverted with DeviceAlreadyActive. The registry holds the key, so
     * the device is ACTIVE, not failed.
     */
    @Test
    void aRegistrationWhoseTransactionRevertedBecauseAnotherOneWasMinedFirstBecomesActive() {
        DeviceIdentity keys = DeviceIdentity.generate(DEVICE_ID, "bp-monitor", RANDOM);
        assertTrue(enroll(keys).created());
        chain.revertsWhenMined = s -> true;
        relayUntilMined();
        registryHolds(keys, true); // the other relay's transaction

        relay.tick();

        assertDevice(DeviceStatus.ACTIVE, keys);
        assertEquals(0, openOutboxEntries());
    }

    @Test
    void aRegistrationThatRevertedWithoutItsKeyOnChainFails() {
        DeviceIdentity keys = DeviceIdentity.generate(DEVICE_ID, "bp-monitor", RANDOM);
        assertTrue(enroll(keys).created());
        chain.revertsWhenMined = s -> true;
        relayUntilMined();

        relay.tick();

        assertEquals(DeviceStatus.REGISTRATION_FAILED, devices.find(DEVICE_ID).orElseThrow().status());
    }

    /**
     * Issue 10's missing second `rotation` (seen in NodeDeviceChainInteropIT, reproduced here): rotateDeviceKey is
     * mined and a handshake of the device checks its keys before the relay collects the receipt. The check completes
     * the rotation; the device must still be told ACTIVE, exactly once.
     */
    @Test
    void aRotationThatAHandshakeFindsMinedIsAnnouncedToTheDeviceOnce() {
        DeviceIdentity first = enrolledAndActive();
        DeviceIdentity second = DeviceIdentity.generate(DEVICE_ID, "bp-monitor", RANDOM);
        clock.advance(STEP);
        byte[] raw = MessageCodec.toJson(first.rotateTo(second, clock.instant(), RANDOM)).getBytes(StandardCharsets.UTF_8);
        assertEquals("PENDING_CHAIN", rotation.rotate(raw, new RequestContext(Transport.MQTT, Step.ROTATE, null))
                .rotation().status());
        relayUntilMined();
        registryHolds(second, true);
        String rotateTx = chain.signedCalls("rotateDeviceKey").get(0).tx().txHash();
        assertEquals(List.of(), events.on(new RegistryEvent.KeyRegistered(hex(ID_HASH), second.keyCommitment(),
                "0x00000000000000000000000000000000000000a1", rotateTx, chain.outcome(rotateTx).orElseThrow().blockNumber())),
                "the log consumer sees the new key first: it drops the cached view, nothing more");

        commitmentCheck.verify(devices.find(DEVICE_ID).orElseThrow()); // a hello, before the relay's next round
        List<DeviceNotification> told = new ArrayList<>(notificationsElsewhere.drain());
        told.addAll(relay.tick()); // the relay collects the receipt: the rotation is already complete

        assertDevice(DeviceStatus.ACTIVE, second);
        assertEquals(1, told.size(), "one notification: " + told);
        assertTrue(told.get(0).json().contains("\"type\":\"rotation\"") && told.get(0).json().contains("\"status\":\"ACTIVE\""),
                told.get(0).json());
        assertEquals(List.of(), notificationsElsewhere.drain(), "nothing left to send");
    }

    // ---- steps

    private DeviceIdentity enrolledAndActive() {
        DeviceIdentity keys = DeviceIdentity.generate(DEVICE_ID, "bp-monitor", RANDOM);
        assertTrue(enroll(keys).created());
        relayUntilMined();
        registryHolds(keys, true);
        relay.tick();
        assertDevice(DeviceStatus.ACTIVE, keys);
        return keys;
    }

    private EnrollmentService.Outcome enroll(DeviceIdentity keys) {
        clock.advance(STEP); // after what came before: the relay keeps a device's operations in creation order
        byte[] raw = MessageCodec.toJson(keys.enrollMessage(clock.instant(), RANDOM)).getBytes(StandardCharsets.UTF_8);
        return enrollment.enroll(raw, new RequestContext(Transport.HTTP, Step.ENROLL, null));
    }

    /** One relay round that collects what was mined and sends what may go, then the chain mines it. */
    private void relayUntilMined() {
        clock.advance(STEP);
        relay.tick();
        chain.mine();
    }

    private void registryHolds(DeviceIdentity keys, boolean active) {
        registry.put(ID_HASH, new DeviceKey(keys.keyCommitment(), active));
    }

    /** The KeyDeactivated of the {@code index}-th {@code function} transaction the scripted chain signed. */
    private RegistryEvent deactivationOf(String function, int index) {
        String txHash = chain.signedCalls(function).get(index).tx().txHash();
        return new RegistryEvent.KeyDeactivated(hex(ID_HASH), "0x00000000000000000000000000000000000000a1", txHash,
                chain.outcome(txHash).orElseThrow().blockNumber());
    }

    private void assertDevice(DeviceStatus status, DeviceIdentity keys) {
        DeviceRecord d = devices.find(DEVICE_ID).orElseThrow();
        assertEquals(status + " " + Hex0x.encode(keys.keyCommitment()), d.status() + " " + d.keyCommitment(),
                "outbox: " + outbox.openInOrder(clock.instant()));
    }

    private long openOutboxEntries() {
        return mongo.db().getCollection(Collections.OUTBOX).countDocuments(Filters.in("status", "PENDING", "SIGNED"));
    }

    private static byte[] hex(String hex0x) {
        return Hex0x.decode32(hex0x);
    }
}
