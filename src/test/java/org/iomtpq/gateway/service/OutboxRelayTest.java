package org.iomtpq.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.iomtpq.gateway.crypto.Hashes;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.store.OutboxEntry;
import org.iomtpq.gateway.store.OutboxEntry.Op;
import org.iomtpq.gateway.store.OutboxEntry.Status;
import org.iomtpq.gateway.store.OutboxRepository;
import org.iomtpq.gateway.testsupport.InMemoryMongo;
import org.iomtpq.gateway.testsupport.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The relay's batching and in-flight logic against the embedded MongoDB and a scripted chain: registrations go out as
 * one registerDeviceKeys per round, several transactions wait at once, operations on one device keep their order,
 * a reverted batch fails only the registration that really fails, and a restart re-sends stored bytes only.
 */
class OutboxRelayTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    private InMemoryMongo mongo;
    private OutboxRepository outbox;
    private ScriptedChain chain;
    private ScriptedEffects effects;
    private MutableClock clock;
    private SubmissionWaits waits;

    @BeforeEach
    void start() {
        mongo = new InMemoryMongo();
        outbox = new OutboxRepository(mongo.db());
        chain = new ScriptedChain();
        effects = new ScriptedEffects();
        clock = new MutableClock(T0.plusSeconds(1)); // after every operation a test adds
        waits = new SubmissionWaits(Duration.ofSeconds(3));
    }

    @AfterEach
    void stop() {
        mongo.close();
    }

    private OutboxRelay relay(int batchMax, int inFlight) {
        return new OutboxRelay(outbox, chain, effects, clock, new OutboxRelay.Limits(batchMax, inFlight), waits);
    }

    private static String hash(String s) {
        return Hex0x.encode(Hashes.keccak256(s.getBytes(StandardCharsets.UTF_8)));
    }

    /** Adds an operation made {@code millisAfterT0} after T0 (creation order is relay order per device). */
    private OutboxEntry add(Op op, String deviceId, int millisAfterT0) {
        OutboxEntry e = OutboxEntry.pending(op, deviceId, hash(deviceId), hash("keys of " + deviceId), null, null,
                T0.plusMillis(millisAfterT0));
        outbox.add(e);
        return e;
    }

    private List<String> registerMany(int count) {
        return IntStream.range(0, count).mapToObj(i -> add(Op.REGISTER, String.format("DEV_%04d", i), i).deviceId()).toList();
    }

    private Status status(OutboxEntry e) {
        return outbox.find(e.id()).orElseThrow().status();
    }

    @Test
    void pendingRegistrationsGoOutAsOneBatchPerRoundWithSeveralTransactionsInFlight() {
        List<String> devices = registerMany(250);
        OutboxRelay relay = relay(100, 8);

        relay.tick();
        relay.tick();
        relay.tick();
        relay.tick(); // nothing left to batch: no fourth transaction

        List<ScriptedChain.Signed> batches = chain.signedCalls("registerDeviceKeys");
        assertEquals(3, chain.signed.size(), "250 registrations in three transactions");
        assertEquals(List.of(100, 100, 50), batches.stream().map(b -> b.deviceIdHashes().size()).toList());
        assertEquals(devices.subList(0, 100).stream().map(OutboxRelayTest::hash).toList(), batches.get(0).deviceIdHashes(),
                "oldest first");
        assertEquals(List.of(0L, 1L, 2L), batches.stream().map(b -> b.tx().nonce()).toList(), "one nonce each");
        assertEquals(3, chain.pool.size(), "all three wait in the pool at once");
        assertTrue(effects.confirmed.isEmpty(), "nothing is ACTIVE before it is mined");

        chain.mine();
        List<DeviceNotification> notifications = relay.tick();

        assertEquals(250, notifications.size(), "one second enrolled per device");
        assertEquals(devices, effects.confirmedDevices().stream().sorted().toList(), "every device confirmed exactly once");
        List<String> expected = IntStream.range(0, 250)
                .mapToObj(i -> devices.get(i) + " REGISTER " + batches.get(i / 100).tx().txHash()).toList();
        assertEquals(new HashSet<>(expected), new HashSet<>(effects.confirmed), "each with its batch's hash");
        assertTrue(outbox.openInOrder(clock.instant()).isEmpty(), "nothing left open, batches included");
        assertEquals(3, chain.signed.size(), "nothing signed twice");
    }

    @Test
    void noMoreThanTheMaximumOfTransactionsWaitsAtOnce() {
        IntStream.range(0, 5).forEach(i -> add(Op.DEACTIVATE, "DEV_" + i, i));
        OutboxRelay relay = relay(100, 2);

        relay.tick();
        relay.tick();
        assertEquals(2, chain.signed.size(), "two in flight, the others wait");
        assertTrue(chain.signed.stream().allMatch(s -> s.function().equals("deactivateKey")), "no batch form of deactivateKey");

        chain.mine();
        relay.tick();
        assertEquals(2, effects.confirmed.size());
        assertEquals(4, chain.signed.size(), "the freed slots are used in the same round");
        assertEquals(2, chain.pool.size());
    }

    @Test
    void anOperationWaitsUntilTheEarlierOperationOnItsDeviceIsMined() {
        add(Op.REGISTER, "DEV_A", 0);
        OutboxEntry deactivateA = add(Op.DEACTIVATE, "DEV_A", 1);
        add(Op.REGISTER, "DEV_B", 2);
        OutboxRelay relay = relay(100, 8);

        relay.tick();
        relay.tick();
        assertEquals(1, chain.signed.size(), "the deactivation is not signed while the registration is unmined");
        assertEquals(List.of(hash("DEV_A"), hash("DEV_B")), chain.signed.get(0).deviceIdHashes(),
                "the later registration of another device still joins the batch");
        assertEquals(Status.PENDING, status(deactivateA));

        chain.mine();
        relay.tick();
        assertEquals(List.of("DEV_A", "DEV_B"), effects.confirmedDevices());
        assertEquals("deactivateKey", chain.signed.get(1).function(), "sent once the registration is mined");
    }

    @Test
    void aRevertedBatchIsSentAgainOneByOneSoOnlyTheFailingRegistrationFails() {
        List<String> devices = registerMany(4);
        String bad = devices.get(2);
        chain.revertsWhenMined = s -> s.deviceIdHashes().contains(hash(bad));
        OutboxRelay relay = relay(100, 8);

        relay.tick();
        String batchHash = chain.signed.get(0).tx().txHash();
        chain.mine();
        relay.tick(); // the batch reverted: its four registrations go out alone, in the same round

        assertTrue(effects.reverted.isEmpty(), "a reverted batch fails no device by itself");
        assertEquals(4, chain.signedCalls("registerDeviceKey").size(), "one by one");
        chain.mine();
        relay.tick();

        assertEquals(List.of(bad + " REGISTER"), effects.reverted, "only the registration that really fails");
        assertEquals(List.of(devices.get(0), devices.get(1), devices.get(3)), effects.confirmedDevices());
        assertTrue(effects.confirmed.stream().noneMatch(c -> c.endsWith(batchHash)), "confirmed by their own transactions");
        assertTrue(outbox.openInOrder(clock.instant()).isEmpty());
    }

    @Test
    void aBatchThatWouldRevertIsNeverBroadcastAndItsRegistrationsGoOutAlone() {
        List<String> devices = registerMany(3);
        String bad = devices.get(1);
        chain.revertsAtEstimate = s -> s.deviceIdHashes().contains(hash(bad));
        OutboxRelay relay = relay(100, 8);

        relay.tick(); // estimation of the batch reverts: nothing signed, all marked to go alone
        assertTrue(chain.signed.isEmpty());
        relay.tick();

        assertTrue(chain.broadcasts.stream().allMatch(h -> chain.signedCalls("registerDeviceKey").stream()
                .anyMatch(s -> s.tx().txHash().equals(h))), "only single registrations were broadcast");
        assertEquals(List.of(bad + " REGISTER"), effects.reverted, "its own estimation names the failing one");
        chain.mine();
        relay.tick();
        assertEquals(List.of(devices.get(0), devices.get(2)), effects.confirmedDevices());
    }

    @Test
    void registrationsAlreadyOnChainOrNoLongerWantedStayOutOfTheBatch() {
        List<String> devices = registerMany(4);
        effects.alreadyOnChain.add("register/" + devices.get(0) + "/" + hash("keys of " + devices.get(0)));
        effects.movedOn.add(devices.get(1));
        clock.set(T0.plusSeconds(60)); // past the settle time: a moved-on record is not a write still under way

        relay(100, 8).tick();

        assertEquals(List.of(devices.get(0) + " REGISTER null"), effects.confirmed, "found on chain, no transaction");
        assertEquals(List.of(devices.get(1) + " REGISTER"), effects.cancelled);
        assertEquals(List.of(hash(devices.get(2)), hash(devices.get(3))), chain.signed.get(0).deviceIdHashes());
    }

    @Test
    void aRestartRebroadcastsTheStoredBatchAndNeverReusesItsNonce() {
        List<String> first = registerMany(3);
        relay(100, 8).tick();
        ScriptedChain.Signed batch = chain.signed.get(0);
        chain.forgetPool(); // the node lost it, and the gateway crashed

        OutboxRelay restarted = relay(100, 8);
        add(Op.REGISTER, "DEV_LATE", 100);
        restarted.tick();

        assertEquals(2, chain.signed.size(), "the stored batch is not signed again; only the newcomer is signed");
        assertTrue(chain.broadcasts.stream().filter(batch.tx().txHash()::equals).count() >= 2, "the same bytes again");
        assertEquals(1L, chain.signed.get(1).tx().nonce(), "past the open batch's nonce, though the node said 0");
        chain.mine();
        restarted.tick();
        assertEquals(new HashSet<>(List.of(first.get(0), first.get(1), first.get(2), "DEV_LATE")),
                new HashSet<>(effects.confirmedDevices()));
        assertEquals(4, effects.confirmed.size(), "each once");
    }

    @Test
    void aCrashBetweenStoringABatchAndMarkingItsMembersNeitherLosesNorDuplicatesThem() {
        List<OutboxEntry> members = registerMany(3).stream()
                .map(d -> outbox.find("register/" + d + "/" + hash("keys of " + d)).orElseThrow()).toList();
        OutboxEntry stored = OutboxEntry.signedBatch(members.stream().map(OutboxEntry::id).toList(), 0, "0xstoredraw",
                "0xstoredhash", T0);
        outbox.add(stored); // ... and the process died before markBatchMembers

        OutboxRelay relay = relay(100, 8);
        relay.tick();
        assertTrue(chain.signed.isEmpty(), "the members it carries are not signed again");
        assertEquals(List.of("0xstoredhash"), chain.broadcasts, "the stored batch is re-broadcast");

        chain.mine();
        relay.tick();
        assertEquals(members.stream().map(m -> m.deviceId() + " REGISTER 0xstoredhash").toList(), effects.confirmed);
        assertTrue(members.stream().allMatch(m -> "0xstoredhash".equals(effects.submitted.get(m.id()))),
                "the devices learn the batch's hash");
        assertEquals(Status.CONFIRMED, status(stored));
    }

    @Test
    void aBatchWhoseNonceWentElsewhereIsSignedAgainNotLost() {
        registerMany(2);
        OutboxRelay relay = relay(100, 8);
        relay.tick();
        chain.forgetPool();
        chain.usedNonces.add(0L); // another transaction of the account took nonce 0
        clock.set(T0.plusSeconds(30)); // time to re-broadcast

        relay.tick();

        assertEquals(2, chain.signed.size(), "signed again");
        assertEquals(1L, chain.signed.get(1).tx().nonce());
        chain.mine();
        relay.tick();
        assertEquals(2, effects.confirmed.size());
        assertTrue(effects.confirmed.stream().allMatch(c -> c.endsWith(chain.signed.get(1).tx().txHash())));
    }

    @Test
    void anUnreachableChainDefersAndSendsNothing() {
        registerMany(2);
        chain.down = true;
        relay(100, 8).tick();
        assertTrue(chain.signed.isEmpty());
        assertTrue(outbox.openInOrder(T0).stream().anyMatch(e -> e.attempts() == 1), "backed off");
        chain.down = false;
        clock.set(T0.plus(Duration.ofMinutes(1)));
        relay(100, 8).tick();
        assertEquals(1, chain.signed.size());
    }

    // ---- answers that name their transaction (SubmissionWaits)

    @Test
    void enrolledAndRotationAnswersNameTheTransactionTheirRoundSigned() throws Exception {
        OutboxEntry registration = add(Op.REGISTER, "DEV_NEW", 0);
        OutboxEntry rotation = add(Op.ROTATE, "DEV_OLD", 1);
        CompletableFuture<String> enrolled = waits.txHashOf(registration.id());
        CompletableFuture<String> rotated = waits.txHashOf(rotation.id());
        assertFalse(enrolled.isDone(), "waits for the relay");

        relay(100, 8).tick();

        assertEquals(chain.signedCalls("registerDeviceKey").get(0).tx().txHash(), enrolled.get(1, TimeUnit.SECONDS));
        assertEquals(chain.signedCalls("rotateDeviceKey").get(0).tx().txHash(), rotated.get(1, TimeUnit.SECONDS));
        assertEquals(effects.submitted.get(registration.id()), enrolled.get(), "the hash the registration endpoint names");
    }

    @Test
    void answersArrivingWhileARoundRunsShareTheNextRoundsBatchAndItsHash() throws Exception {
        OutboxEntry first = add(Op.REGISTER, "DEV_FIRST", 0);
        CompletableFuture<String> firstAnswer = waits.txHashOf(first.id());
        List<CompletableFuture<String>> later = new ArrayList<>();
        chain.whileSigning = () -> {
            chain.whileSigning = () -> { };
            IntStream.range(0, 5).forEach(i -> later.add(waits.txHashOf(add(Op.REGISTER, "DEV_LATER_" + i, 10 + i).id())));
        };
        OutboxRelay relay = relay(100, 8);

        relay.tick(); // reads the outbox before the five arrive: signs the first one alone
        assertEquals(chain.signed.get(0).tx().txHash(), firstAnswer.get(1, TimeUnit.SECONDS));
        assertTrue(later.stream().noneMatch(CompletableFuture::isDone), "not seen by that round: they wait for the next");

        relay.tick();
        assertEquals(2, chain.signed.size(), "the five in one transaction");
        String batch = chain.signedCalls("registerDeviceKeys").get(0).tx().txHash();
        for (CompletableFuture<String> answer : later) {
            assertEquals(batch, answer.get(1, TimeUnit.SECONDS), "each answer names the batch");
        }
    }

    @Test
    void onceTwoTransactionsWaitToBeMinedAnswersNoLongerRingAndTheFleetBatchesAsBefore() throws Exception {
        OutboxRelay relay = relay(100, 8);
        CompletableFuture<String> enrolled = waits.txHashOf(add(Op.REGISTER, "DEV_0000", 0).id());
        relay.tick();
        CompletableFuture<String> rotated = waits.txHashOf(add(Op.ROTATE, "DEV_ROTATED", 1).id());
        relay.tick();
        assertTrue(enrolled.get(1, TimeUnit.SECONDS).startsWith("0xhash"));
        assertTrue(rotated.get(1, TimeUnit.SECONDS).startsWith("0xhash"), "one transaction in flight still lets it ring");
        waits.awaitRing(Duration.ZERO); // the relay took the rings of those two

        List<CompletableFuture<String>> fleet = IntStream.range(1, 150)
                .mapToObj(i -> waits.txHashOf(add(Op.REGISTER, String.format("DEV_%04d", i), 10 + i).id())).toList();
        assertTrue(fleet.stream().noneMatch(CompletableFuture::isDone), "they wait for the relay's next usual round");
        long start = System.nanoTime();
        waits.awaitRing(Duration.ofMillis(300));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(300),
                "two transactions wait to be mined: no answer rang for a round of its own");

        relay.tick();
        String batch = chain.signedCalls("registerDeviceKeys").get(0).tx().txHash();
        assertEquals(100, fleet.stream().filter(a -> batch.equals(a.getNow("x"))).count(), "each names the batch it is in");
        assertEquals(49, fleet.stream().filter(a -> a.isDone() && a.getNow("x") == null).count(),
                "its round had no room for them in that batch: null, and the registration endpoint names it later");
        relay.tick();
        assertEquals(List.of(1, 1, 100, 49), chain.signed.stream().map(s -> s.deviceIdHashes().size()).toList(),
                "the relay's usual rounds: 100 to a batch");
    }

    @Test
    void anAnswerArrivingWhileAnAnchorAndAnotherAnswersTransactionWaitToBeMinedStillNamesItsOwn() throws Exception {
        // The independent client's run: a revocation's deactivation and an audit anchor both in flight when the revoked
        // device enrolls again; the answer used to say null at once.
        OutboxRelay relay = relay(100, 8);
        add(Op.DEACTIVATE, "DEV_REVOKED", 0);
        outbox.add(OutboxEntry.anchor("gateway-01/i", hash("gateway-01/i"), 1, 61, hash("root"), T0.plusMillis(1)));
        relay.tick();
        assertEquals(2, chain.signed.size(), "two transactions wait to be mined");

        OutboxEntry again = add(Op.REGISTER, "DEV_OTHER", 2);
        CompletableFuture<String> answer = waits.txHashOf(again.id());
        assertFalse(answer.isDone(), "it waits for the relay's next round instead of saying null at once");
        relay.tick();
        assertEquals(chain.signedCalls("registerDeviceKey").get(0).tx().txHash(), answer.get(1, TimeUnit.SECONDS));
    }

    @Test
    void anUnreachableChainAnswersNullWithoutWaitingForTheBoundAndLosesNothing() throws Exception {
        OutboxEntry registration = add(Op.REGISTER, "DEV_DOWN", 0);
        chain.down = true;
        CompletableFuture<String> answer = waits.txHashOf(registration.id());
        relay(100, 8).tick();
        assertTrue(answer.isDone(), "the round that could not send it ends the wait");
        assertNull(answer.get());

        chain.down = false;
        clock.set(T0.plus(Duration.ofMinutes(1)));
        relay(100, 8).tick();
        assertEquals(Status.SIGNED, status(registration), "sent once the chain is back");
        assertEquals(chain.signed.get(0).tx().txHash(), effects.submitted.get(registration.id()),
                "the registration endpoint names it from then on");
    }

    @Test
    void aWaitNoRoundServesEndsAtTheBound() throws Exception {
        SubmissionWaits quick = new SubmissionWaits(Duration.ofMillis(50));
        long start = System.nanoTime();
        assertNull(quick.txHashOf("register/DEV_X/0x01").get(5, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50));
    }

    @Test
    void anAnswerBehindAnEarlierOpenOperationOnItsDeviceWaitsForTheRoundThatSendsIt() throws Exception {
        add(Op.DEACTIVATE, "DEV_AGAIN", 0); // the deactivation of a re-enrollment, not mined yet
        OutboxEntry again = add(Op.REGISTER, "DEV_AGAIN", 1);
        CompletableFuture<String> answer = waits.txHashOf(again.id());
        OutboxRelay relay = relay(100, 8);
        relay.tick();
        assertFalse(answer.isDone(), "its round could not send it, and says nothing yet");
        assertEquals(Status.PENDING, status(again));

        chain.mine();
        relay.tick(); // collects the deactivation's receipt, then sends the registration
        assertEquals(chain.signedCalls("registerDeviceKey").get(0).tx().txHash(), answer.get(1, TimeUnit.SECONDS),
                "named once sent, in order, within the answer's bound");
    }

    @Test
    void aRingWakesTheRelayAtOnce() throws Exception {
        long start = System.nanoTime();
        Thread ringer = new Thread(() -> waits.txHashOf("register/DEV_Y/0x02"));
        ringer.start();
        waits.awaitRing(Duration.ofSeconds(10));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "woken by the ring, not the period");
        ringer.join();
    }

    @Test
    void withTheWaitOffAnswersNeverWait() {
        assertNull(new SubmissionWaits(Duration.ZERO).txHashOf("register/DEV_Z/0x03").getNow("still waiting"));
    }
}
