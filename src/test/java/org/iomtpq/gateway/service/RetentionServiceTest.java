package org.iomtpq.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.mongodb.client.MongoCollection;
import org.bson.Document;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.protocol.SessionState;
import org.iomtpq.gateway.protocol.Step;
import org.iomtpq.gateway.store.ApprovalRepository;
import org.iomtpq.gateway.store.AuditRepository;
import org.iomtpq.gateway.store.Collections;
import org.iomtpq.gateway.store.DeadLetters;
import org.iomtpq.gateway.store.ObservationRecord;
import org.iomtpq.gateway.store.ObservationRepository;
import org.iomtpq.gateway.store.RetentionLedger;
import org.iomtpq.gateway.store.RetentionLedger.Kind;
import org.iomtpq.gateway.store.RetentionStore;
import org.iomtpq.gateway.store.SessionRecord;
import org.iomtpq.gateway.store.SessionRepository;
import org.iomtpq.gateway.testsupport.InMemoryMongo;
import org.iomtpq.gateway.testsupport.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Retention against the embedded server: what is due goes, by id, in rounds; nothing else; replays stay refused. */
class RetentionServiceTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final RetentionService.Ages AGES = new RetentionService.Ages(Duration.ofDays(1), Duration.ofDays(7),
            Duration.ofDays(1), Duration.ofDays(30), Duration.ofDays(7));

    private final InMemoryMongo mongo = new InMemoryMongo();
    private final SessionRepository sessions = new SessionRepository(mongo.db());
    private final ObservationRepository observations = new ObservationRepository(mongo.db());
    private final ApprovalRepository approvals = new ApprovalRepository(mongo.db());
    private final AuditRepository auditRepository = new AuditRepository(mongo.db());
    private final MutableClock clock = new MutableClock(T0);
    private final AuditTrail audit = new AuditTrail("gw/test", "gw", auditRepository, clock, Duration.ofSeconds(10), 20);
    private final RetentionService retention = retention(100_000);

    private RetentionService retention(int budget) {
        RetentionService r = new RetentionService(new RetentionLedger(mongo.db()), new RetentionStore(mongo.db(), sessions),
                AGES, budget, 5, storedBefore -> true, audit, clock);
        sessions.onStoring(s -> r.sessionStarted(s.sessionId(), s.expiresAtInstant()));
        approvals.onPutting(r::approvalGranted);
        return r;
    }

    @AfterEach
    void stop() {
        audit.close();
        mongo.close();
    }

    private void session(String id, int stored) {
        sessions.insertPending(new SessionRecord(id, "DEV_1", "0xaa", "gw", SessionState.ENCAPSULATED, clock.instant(),
                clock.instant().plusSeconds(30), "x", clock.instant().plus(Duration.ofDays(1)), 1_000, new byte[32], new byte[40],
                new byte[40], new byte[40], null, 0));
        List<ObservationRecord> batch = new ArrayList<>();
        for (int seq = 1; seq <= stored; seq++) {
            batch.add(new ObservationRecord(id, seq, "DEV_1", "gw", "2026-11-24T10:00:00Z", "2026-11-24T10:00:01Z",
                    Map.of("heartRate", BigDecimal.valueOf(72)), Map.of(), "h"));
        }
        if (!batch.isEmpty()) {
            observations.insertAll(batch);
            new org.iomtpq.gateway.store.StoredSeqs(mongo.db()).widen(Map.of(id, new org.iomtpq.gateway.store.StoredSeqs.Range(1, stored)));
        }
    }

    private long count(String collection) {
        return mongo.db().getCollection(collection).countDocuments();
    }

    @Test
    void sessionsGoAfterTheirAgeAndTheirObservationsAfterTheirsNothingBefore() {
        session("s1", 30);
        session("s2", 0);
        clock.set(T0.plus(Duration.ofDays(1)).plus(Duration.ofHours(23))); // expired, not yet a day past expiry
        assertEquals(Map.of(), retention.purgeDue());
        assertEquals(2, count(Collections.SESSIONS));

        clock.set(T0.plus(Duration.ofDays(2)).plus(Duration.ofHours(2)));
        assertEquals(Map.of(Kind.SESSION, 2L), retention.purgeDue());
        assertEquals(0, count(Collections.SESSIONS));
        assertEquals(30, count(Collections.OBSERVATIONS), "observations are kept for their own, longer age");

        clock.set(T0.plus(Duration.ofDays(8)).plus(Duration.ofHours(2)));
        assertEquals(Map.of(Kind.SESSION_OBSERVATIONS, 30L), retention.purgeDue());
        assertEquals(0, count(Collections.OBSERVATIONS));
        assertEquals(Map.of(), retention.purgeDue(), "done is done");
        assertTrue(auditRepository.newestForGateway("gw", 10).stream()
                .anyMatch(e -> e.eventType().equals("RETENTION_PURGED") && e.message().contains("SESSION_OBSERVATIONS=30")));
    }

    /** With a FHIR export: observations wait until everything stored up to their session's end was delivered. */
    @Test
    void observationsWaitForTheirDownstreamDelivery() {
        List<Instant> asked = new ArrayList<>();
        boolean[] delivered = {false};
        RetentionService waiting = new RetentionService(new RetentionLedger(mongo.db()), new RetentionStore(mongo.db(), sessions),
                AGES, 100_000, 5, storedBefore -> {
                    asked.add(storedBefore);
                    return delivered[0];
                }, audit, clock);
        sessions.onStoring(s -> waiting.sessionStarted(s.sessionId(), s.expiresAtInstant()));
        session("s1", 10);
        Instant expiry = T0.plus(Duration.ofDays(1));
        clock.set(T0.plus(Duration.ofDays(2)).plus(Duration.ofHours(2)));
        waiting.purgeDue();
        clock.set(T0.plus(Duration.ofDays(8)).plus(Duration.ofHours(2)));
        assertEquals(Map.of(), waiting.purgeDue());
        assertEquals(10, count(Collections.OBSERVATIONS), "not delivered yet: kept");
        assertTrue(!asked.isEmpty() && asked.get(0).isAfter(expiry), "asked about everything written until after expiry: " + asked);
        delivered[0] = true;
        clock.advance(Duration.ofHours(2).plusMinutes(11)); // noted an hour later, handed out once that hour is over
        assertEquals(Map.of(Kind.SESSION_OBSERVATIONS, 10L), waiting.purgeDue());
        assertEquals(0, count(Collections.OBSERVATIONS));
    }

    @Test
    void aPurgedSessionsTelemetryIsRefusedSoNoSeqOfItCanBeReplayed() {
        session("AAAAAAAAAAAAAAAAAAAAAA==", 3);
        sessions.authenticate(sessions.find("AAAAAAAAAAAAAAAAAAAAAA==").orElseThrow(), clock.instant());
        LiveSessions live = new LiveSessions(sessions::find, d -> new LiveSessions.DeviceView(false, "0xaa"),
                new org.iomtpq.gateway.store.StoredSeqs(mongo.db())::top, () -> clock.millis(), 0, 100);
        TelemetryService telemetry = new TelemetryService("gw", live, observations, new SessionKeyVault(
                new org.iomtpq.gateway.crypto.KeyWrap(org.iomtpq.gateway.crypto.SecretBytes.copyOf(new byte[32])), 10), null, clock);
        byte[] replay = ("{\"type\":\"telemetry\",\"v\":1,\"deviceId\":\"DEV_1\",\"sessionId\":\"AAAAAAAAAAAAAAAAAAAAAA==\","
                + "\"seq\":2,\"ciphertext\":\"" + Base64.getEncoder().encodeToString(new byte[32]) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        RequestContext http = new RequestContext(Transport.HTTP, Step.TELEMETRY, null);
        clock.set(T0.plus(Duration.ofDays(1)).plusSeconds(1));
        assertEquals(ErrorCode.SESSION_EXPIRED, assertThrows(ProtocolException.class,
                () -> telemetry.accept(replay, http)).code(), "expired, not yet purged");

        clock.set(T0.plus(Duration.ofDays(9)));
        retention.purgeDue();
        assertEquals(0, count(Collections.OBSERVATIONS));
        assertEquals(ErrorCode.UNKNOWN_SESSION, assertThrows(ProtocolException.class,
                () -> telemetry.accept(replay, http)).code(), "the session is gone, and with it every seq of it");
    }

    @Test
    void anUnusedApprovalGoesAfterItsAgeButARenewedOneStays() {
        approvals.put("D1", T0.plusSeconds(600), null, T0);
        approvals.put("D2", T0.plusSeconds(600), null, T0);
        clock.set(T0.plus(Duration.ofHours(3)));
        approvals.put("D2", clock.instant().plus(Duration.ofDays(3)), null, clock.instant()); // renewed: a new expiry under the same id
        clock.set(T0.plus(Duration.ofDays(1)).plus(Duration.ofHours(2)));
        assertEquals(Map.of(Kind.APPROVAL, 1L), retention.purgeDue());
        assertEquals(1, count(Collections.APPROVALS));
        assertTrue(approvals.isValid("D2", null, clock.instant()));
    }

    @Test
    void deadLettersAndOnlyFinishedOutboxEntriesGo() {
        Document dead = DeadLetters.of("mqtt", "src", "telemetry", "MALFORMED_REQUEST", "bad", new byte[3], T0);
        mongo.db().getCollection(Collections.DEAD_LETTERS).insertOne(dead);
        retention.deadLetterStored(dead.getObjectId("_id").toHexString(), T0);
        MongoCollection<Document> outbox = mongo.db().getCollection(Collections.OUTBOX);
        outbox.insertOne(new Document("_id", "done").append("status", "CONFIRMED"));
        outbox.insertOne(new Document("_id", "open").append("status", "SIGNED"));
        retention.outboxEntryFinished("done", T0);
        retention.outboxEntryFinished("open", T0); // a wrong note must not purge an open entry

        clock.set(T0.plus(Duration.ofDays(8)));
        assertEquals(Map.of(Kind.OUTBOX, 1L), retention.purgeDue());
        assertNotNull(outbox.find(new Document("_id", "open")).first());
        assertNull(outbox.find(new Document("_id", "done")).first());
        clock.set(T0.plus(Duration.ofDays(31)));
        assertEquals(Map.of(Kind.DEAD_LETTER, 1L), retention.purgeDue());
        assertEquals(0, count(Collections.DEAD_LETTERS));
    }

    @Test
    void aSparseSessionIsPurgedAcrossRoundsEachWithinItsBudget() {
        RetentionService small = retention(1_000);
        session("sparse", 1);
        observations.insertAll(List.of(new ObservationRecord("sparse", 4_000, "DEV_1", "gw", "2026-11-24T10:00:00Z",
                "2026-11-24T10:00:01Z", Map.of("heartRate", BigDecimal.valueOf(72)), Map.of(), "h")));
        new org.iomtpq.gateway.store.StoredSeqs(mongo.db()).widen(Map.of("sparse", new org.iomtpq.gateway.store.StoredSeqs.Range(1, 4_000)));
        clock.set(T0.plus(Duration.ofDays(9)));
        small.purgeDue(); // the session goes, its observations are noted
        int rounds = 0;
        while (count(Collections.OBSERVATIONS) > 0 && rounds < 20) {
            small.purgeDue();
            rounds++;
        }
        assertEquals(0, count(Collections.OBSERVATIONS), "the observation at seq 4,000 is reached too");
        assertTrue(rounds >= 3, "4,005 lookups do not fit one round of 1,000: " + rounds + " rounds");
    }

    @Test
    void aConfirmedRotationTheDeviceHasNotTakenOnIsKept() {
        MongoCollection<Document> outbox = mongo.db().getCollection(Collections.OUTBOX);
        outbox.insertOne(new Document("_id", "rot").append("op", "ROTATE").append("deviceId", "DEV_1")
                .append("commitment", "0xnew").append("status", "CONFIRMED"));
        mongo.db().getCollection(Collections.DEVICE_KEYS).insertOne(new Document("_id", "DEV_1")
                .append("deviceIdHash", "0x01").append("pendingKeyCommitment", "0xnew"));
        retention.outboxEntryFinished("rot", T0);
        clock.set(T0.plus(Duration.ofDays(8)));
        assertEquals(Map.of(), retention.purgeDue());
        assertNotNull(outbox.find(new Document("_id", "rot")).first(), "its new keys are needed to complete the rotation");
        mongo.db().getCollection(Collections.DEVICE_KEYS).updateOne(new Document("_id", "DEV_1"),
                new Document("$set", new Document("pendingKeyCommitment", null)));
        clock.set(T0.plus(Duration.ofDays(16)));
        assertEquals(Map.of(Kind.OUTBOX, 1L), retention.purgeDue(), "once taken on, it goes");
    }

    @Test
    void aRoundDeletesAboutItsBudgetAndTheNextRoundGoesOn() {
        RetentionService small = retention(300);
        for (int i = 0; i < 1_200; i++) { // more than two ledger chunks
            small.deadLetterStored("d" + i, T0);
            mongo.db().getCollection(Collections.DEAD_LETTERS).insertOne(new Document("_id", "d" + i));
        }
        clock.set(T0.plus(Duration.ofDays(31)));
        long first = small.purgeDue().getOrDefault(Kind.DEAD_LETTER, 0L);
        assertTrue(first >= 300 && first <= 500, "one round stops after the chunk that used its budget: " + first);
        long total = first;
        for (int round = 0; round < 10 && total < 1_200; round++) {
            total += small.purgeDue().getOrDefault(Kind.DEAD_LETTER, 0L);
        }
        assertEquals(1_200, total);
        assertEquals(0, count(Collections.DEAD_LETTERS));
    }
}
