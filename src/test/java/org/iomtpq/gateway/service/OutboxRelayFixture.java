package org.iomtpq.gateway.service;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

/**
 * What the relay's tests share: the embedded MongoDB's outbox, a scripted chain and effects, a clock that stands still,
 * the answers' waits (3 s), and operations added in creation order.
 */
abstract class OutboxRelayFixture {

    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    InMemoryMongo mongo;
    OutboxRepository outbox;
    ScriptedChain chain;
    ScriptedEffects effects;
    MutableClock clock;
    SubmissionWaits waits;

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

    OutboxRelay relay(int batchMax, int inFlight) {
        return new OutboxRelay(outbox, chain, effects, clock, new OutboxRelay.Limits(batchMax, inFlight), waits);
    }

    static String hash(String s) {
        return Hex0x.encode(Hashes.keccak256(s.getBytes(StandardCharsets.UTF_8)));
    }

    /** Adds an operation made {@code millisAfterT0} after T0 (creation order is relay order per device). */
    OutboxEntry add(Op op, String deviceId, int millisAfterT0) {
        OutboxEntry e = OutboxEntry.pending(op, deviceId, hash(deviceId), hash("keys of " + deviceId), null, null,
                T0.plusMillis(millisAfterT0));
        outbox.add(e);
        return e;
    }

    List<String> registerMany(int count) {
        return IntStream.range(0, count).mapToObj(i -> add(Op.REGISTER, String.format("DEV_%04d", i), i).deviceId()).toList();
    }

    Status status(OutboxEntry e) {
        return outbox.find(e.id()).orElseThrow().status();
    }
}
