package org.iomtpq.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.stream.IntStream;

import org.iomtpq.gateway.store.OutboxEntry;
import org.iomtpq.gateway.store.OutboxEntry.Op;
import org.iomtpq.gateway.store.OutboxEntry.Status;
import org.junit.jupiter.api.Test;

/**
 * The relay's batching and in-flight logic against the embedded MongoDB and a scripted chain: registrations go out as
 * one registerDeviceKeys per round, several transactions wait at once, operations on one device keep their order,
 * a reverted batch fails only the registration that really fails, and a restart re-sends stored bytes only.
 */
class OutboxRelayTest extends OutboxRelayFixture {

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
}
