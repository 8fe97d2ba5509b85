package org.iomtpq.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Date;

import com.mongodb.client.MongoDatabase;
import org.bson.Document;
import org.bson.types.Binary;
import org.iomtpq.gateway.protocol.SessionState;
import org.iomtpq.gateway.testsupport.InMemoryMongo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The handshake's conditional changes to {@code sessions} (compare-and-set on the revision), against the embedded
 * server: a session is authenticated once, only while pending, before its deadline, and only if nothing changed it
 * since it was read.
 */
class SessionRepositoryTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");

    private InMemoryMongo mongo;
    private MongoDatabase db;
    private SessionRepository sessions;

    @BeforeEach
    void start() {
        mongo = new InMemoryMongo();
        db = mongo.db();
        sessions = new SessionRepository(db);
    }

    @AfterEach
    void stop() {
        mongo.close();
    }

    private SessionRecord storePending(String id, String deviceId, String commitment) {
        sessions.insertPending(new SessionRecord(id, deviceId, commitment, "gw", SessionState.ENCAPSULATED, NOW,
                NOW.plusSeconds(30), "2026-11-25T10:00:00Z", NOW.plusSeconds(86_400), 1_000, new byte[32],
                new byte[40], new byte[40], new byte[40], null, 0));
        return sessions.find(id).orElseThrow();
    }

    @Test
    void aPendingSessionIsAuthenticatedOnceAndLosesItsHandshakeSecrets() {
        SessionRecord seen = storePending("s1", "D1", "0xaa");

        assertTrue(sessions.authenticate(seen, NOW.plusSeconds(1)));
        assertFalse(sessions.authenticate(seen, NOW.plusSeconds(1)), "the same read cannot authenticate twice");

        SessionRecord after = sessions.find("s1").orElseThrow();
        assertEquals(SessionState.AUTHENTICATED, after.state());
        assertEquals(1, after.revision());
        assertNull(after.finishedKeyWrapped());
        assertNull(after.transcriptHash());
        assertNotNull(after.deviceToGatewayKeyWrapped());
        assertFalse(sessions.authenticate(after, NOW.plusSeconds(1)), "an authenticated session is not pending");
    }

    @Test
    void aSessionChangedAfterItWasReadIsNotAuthenticated() {
        SessionRecord seenBeforeRotation = storePending("s1", "D1", "0xaa");
        assertEquals(1, sessions.endAllOfOtherKeys("D1", "0xbb", NOW));
        assertFalse(sessions.authenticate(seenBeforeRotation, NOW.plusSeconds(1)));

        SessionRecord seenBeforeRevocation = storePending("s2", "D2", "0xaa");
        assertEquals(1, sessions.endAllForRevocation("D2", NOW));
        assertFalse(sessions.authenticate(seenBeforeRevocation, NOW.plusSeconds(1)));

        SessionRecord reread = sessions.find("s2").orElseThrow();
        assertEquals("REVOKED", reread.endedReason());
        assertFalse(sessions.authenticate(reread, NOW.plusSeconds(1)), "an ended session, read afresh, neither");
        assertEquals(SessionState.ENCAPSULATED, sessions.find("s1").orElseThrow().state());
    }

    @Test
    void theDeadlineIsExclusive() {
        SessionRecord seen = storePending("s1", "D1", "0xaa");
        assertFalse(sessions.authenticate(seen, NOW.plusSeconds(30)));
        assertTrue(sessions.authenticate(seen, NOW.plusSeconds(29)));
    }

    @Test
    void aFailedHandshakeErasesItsKeysAndNeverTouchesAnAuthenticatedSession() {
        storePending("s1", "D1", "0xaa");
        sessions.fail("s1");
        SessionRecord failed = sessions.find("s1").orElseThrow();
        assertEquals(SessionState.FAILED, failed.state());
        assertNull(failed.finishedKeyWrapped());
        assertNull(failed.deviceToGatewayKeyWrapped());
        assertNull(failed.gatewayToDeviceKeyWrapped());

        SessionRecord seenBeforeFail = storePending("s3", "D1", "0xaa");
        sessions.fail("s3");
        assertFalse(sessions.authenticate(seenBeforeFail, NOW), "a failed handshake is not authenticated from an older read");

        SessionRecord other = storePending("s2", "D1", "0xaa");
        assertTrue(sessions.authenticate(other, NOW));
        sessions.fail("s2");
        assertEquals(SessionState.AUTHENTICATED, sessions.find("s2").orElseThrow().state());
        sessions.fail("unknown"); // nothing to do, no error
    }

    @Test
    void sessionsStoredBeforeRevisionsExistedAreChangedLikeAnyOther() {
        insertWithoutRevision("old1");
        insertWithoutRevision("old2");

        SessionRecord old1 = sessions.find("old1").orElseThrow();
        assertEquals(-1, old1.revision());
        assertTrue(sessions.authenticate(old1, NOW));
        assertFalse(sessions.authenticate(old1, NOW), "once");
        assertEquals(1, sessions.find("old1").orElseThrow().revision());

        SessionRecord old2 = sessions.find("old2").orElseThrow();
        assertEquals(2, StoreUpgrade.liveSessions(db, NOW), "stored before the per-device index: indexed at start");
        assertEquals(0, StoreUpgrade.liveSessions(db, NOW), "once per database");
        assertEquals(2, sessions.endAllForRevocation("D1", NOW), "the authenticated one and the pending one");
        assertFalse(sessions.authenticate(old2, NOW), "changed since it was read");
        sessions.fail("old2");
        assertEquals(SessionState.FAILED, sessions.find("old2").orElseThrow().state());
    }

    @Test
    void storedSeqRangesOnlyWidenAndAreNotAChangeOfTheHandshake() {
        SessionRecord seen = storePending("s1", "D1", "0xaa");
        StoredSeqs seqs = new StoredSeqs(db);
        assertEquals(0, seqs.top("s1"), "a new session: nothing stored");
        seqs.widen(java.util.Map.of("s1", new StoredSeqs.Range(5, 7)));
        seqs.widen(java.util.Map.of("s1", new StoredSeqs.Range(6, 6)));
        seqs.widen(java.util.Map.of("s1", new StoredSeqs.Range(2, 3)));
        assertEquals(new StoredSeqs.Range(2, 7), seqs.find("s1").orElseThrow());
        assertEquals(0, sessions.find("s1").orElseThrow().revision(), "the session record is untouched");
        assertTrue(sessions.authenticate(seen, NOW.plusSeconds(1)));
    }

    @Test
    void revocationAndRotationEndOnlyTheDevicesOwnUnexpiredSessions() {
        storePending("a1", "D1", "0xaa");
        storePending("a2", "D1", "0xbb");
        storePending("b1", "D2", "0xaa");
        assertEquals(1, sessions.endAllOfOtherKeys("D1", "0xbb", NOW));
        assertEquals("ROTATED", sessions.find("a1").orElseThrow().endedReason());
        assertNull(sessions.find("a2").orElseThrow().endedReason());
        assertEquals(0, sessions.endAllOfOtherKeys("D1", "0xbb", NOW), "idempotent");

        assertEquals(2, sessions.endAllForRevocation("D1", NOW), "the rotated-away one too, so it answers DEVICE_REVOKED");
        assertEquals("REVOKED", sessions.find("a1").orElseThrow().endedReason());
        assertEquals(0, sessions.endAllForRevocation("D1", NOW), "idempotent");
        assertNull(sessions.find("b1").orElseThrow().endedReason(), "another device's session is untouched");

        assertEquals(0, sessions.endAllForRevocation("D2", NOW.plusSeconds(86_400)),
                "an expired session needs no ending: it answers SESSION_EXPIRED anyway");
    }

    @Test
    void theDeviceIndexDropsExpiredSessionsWhenTheNextOneIsAdded() {
        sessions.authenticate(storePending("old", "D1", "0xaa"), NOW); // listed until it expires, NOW + 1 day
        DeviceSessionIndex index = new DeviceSessionIndex(db);
        Instant nextDay = NOW.plusSeconds(86_400).plus(DeviceSessionIndex.SPAN); // past the old one's bucket too
        index.list("D1", "new", nextDay.plusSeconds(86_400), nextDay);
        assertEquals(java.util.List.of("new"), index.unexpired("D1", nextDay));
        Document head = db.getCollection(Collections.DEVICE_SESSIONS).find(new Document("_id", "D1")).first();
        assertEquals(java.util.List.of(DeviceSessionIndex.bucketOf(nextDay.plusSeconds(86_400))),
                head.getList("buckets", Object.class).stream().map(n -> ((Number) n).longValue()).toList(),
                "the buckets whose time has passed left the head, not only hidden");
    }

    @Test
    void aHelloAloneIsListedOnlyUntilItsDeadlineAnAuthenticatedSessionUntilItExpires() {
        SessionRecord pending = storePending("p1", "D1", "0xaa");
        DeviceSessionIndex index = new DeviceSessionIndex(db);
        assertEquals(java.util.List.of("p1"), index.unexpired("D1", NOW.plusSeconds(29)));
        assertEquals(java.util.List.of(), index.unexpired("D1", NOW.plusSeconds(30)), "the deadline passed: nothing to end");
        assertTrue(sessions.authenticate(pending, NOW.plusSeconds(1)));
        assertEquals(java.util.List.of("p1"), index.unexpired("D1", NOW.plusSeconds(86_399)), "listed once, for its life");
    }

    @Test
    void anUpgradedDatabaseKeepsTheReplayWindowOfItsLiveSessions() {
        insertWithoutRevision("old1");
        db.getCollection(Collections.OBSERVATIONS).insertMany(java.util.List.of(
                new Document("sessionId", "old1").append("seq", 4L), new Document("sessionId", "old1").append("seq", 9L),
                new Document("sessionId", "gone").append("seq", 50L)));
        assertEquals(1, StoreUpgrade.liveSessions(db, NOW));
        assertEquals(new StoredSeqs.Range(4, 9), new StoredSeqs(db).find("old1").orElseThrow());
        assertTrue(new StoredSeqs(db).find("gone").isEmpty(), "only live sessions");
    }

    private void insertWithoutRevision(String id) {
        db.getCollection(Collections.SESSIONS).insertOne(new Document("_id", id).append("deviceId", "D1")
                .append("keyCommitment", "0xaa").append("gatewayId", "gw").append("state", "ENCAPSULATED")
                .append("createdAt", Date.from(NOW)).append("handshakeDeadline", Date.from(NOW.plusSeconds(30)))
                .append("expiresAt", "2026-11-25T10:00:00Z").append("expiresAtDate", Date.from(NOW.plusSeconds(86_400)))
                .append("maxMessages", 1_000L).append("transcriptHash", new Binary(new byte[32]))
                .append("finishedKeyWrapped", new Binary(new byte[40])).append("endedReason", null));
    }
}
