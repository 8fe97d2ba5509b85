package org.iomtpq.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.iomtpq.gateway.store.OutboxEntry;
import org.iomtpq.gateway.store.OutboxEntry.Op;
import org.iomtpq.gateway.store.OutboxEntry.Status;
import org.junit.jupiter.api.Test;

/**
 * Answers that name their transaction ({@link SubmissionWaits}) with the relay's rounds: the round that signs an entry
 * names its hash, concurrent answers share a batch, a fleet does not ring for tiny batches, an unreachable chain or a
 * busy device says null or waits, as docs/protocol.md lists.
 */
class OutboxRelayAnswersTest extends OutboxRelayFixture {

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
