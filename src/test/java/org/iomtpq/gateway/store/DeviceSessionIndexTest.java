package org.iomtpq.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import org.bson.Document;
import org.iomtpq.gateway.protocol.SessionState;
import org.iomtpq.gateway.testsupport.InMemoryMongo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code device_sessions} in buckets: a device that handshakes every few minutes for a day keeps every listing small,
 * and revocation still finds every session that has not expired, in every bucket and in a list written before buckets.
 */
class DeviceSessionIndexTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private static final Duration TTL = Duration.ofHours(24);

    private InMemoryMongo mongo;
    private SessionRepository sessions;
    private DeviceSessionIndex index;
    private MongoCollection<Document> stored;

    @BeforeEach
    void start() {
        mongo = new InMemoryMongo();
        sessions = new SessionRepository(mongo.db());
        index = new DeviceSessionIndex(mongo.db());
        stored = mongo.db().getCollection(Collections.DEVICE_SESSIONS);
    }

    @AfterEach
    void stop() {
        mongo.close();
    }

    /** A full handshake of {@code deviceId} at {@code at}: listed at hello, again when authenticated. */
    private void handshake(String id, String deviceId, Instant at) {
        sessions.insertPending(new SessionRecord(id, deviceId, "0xaa", "gw", SessionState.ENCAPSULATED, at,
                at.plusSeconds(30), "2026-11-25T10:00:00Z", at.plus(TTL), 1_000, new byte[32],
                new byte[40], new byte[40], new byte[40], null, 0));
        assertTrue(sessions.authenticate(sessions.find(id).orElseThrow(), at.plusSeconds(1)));
    }

    @Test
    void aDeviceThatHandshakesEveryFewMinutesForADayKeepsEveryListingSmallAndRevocationEndsThemAll() {
        int count = 24 * 60 / 3; // every 3 minutes for a day: 480 live sessions at the end
        IntStream.range(0, count).forEach(i -> handshake("s" + i, "D1", NOW.plus(Duration.ofMinutes(3L * i))));
        Instant end = NOW.plus(Duration.ofMinutes(3L * count - 1)); // the first one still live (until NOW + 24 h)

        int largest = 0;
        for (Document d : stored.find()) {
            largest = Math.max(largest, d.getList("sessions", Document.class, List.of()).size());
            assertTrue(d.getList("buckets", Object.class, List.of()).size() <= TTL.dividedBy(DeviceSessionIndex.SPAN) + 1,
                    "a head names at most a session lifetime of buckets");
        }
        assertTrue(largest <= DeviceSessionIndex.SPAN.toMinutes() / 3 + 2,
                "a bucket lists the sessions of one span (and a few pending hellos), not the day's: " + largest);

        List<String> live = index.unexpired("D1", end);
        assertEquals(count, live.size(), "every session authenticated within the last 24 h, across all its buckets");
        assertEquals(count, new HashSet<>(live).size(), "each once");
        assertEquals(count, sessions.endAllForRevocation("D1", end));
        assertTrue(IntStream.range(0, count).allMatch(i -> "REVOKED".equals(sessions.find("s" + i).orElseThrow().endedReason())));
    }

    @Test
    void aPendingHelloIsFoundUntilItsDeadlineAndAnotherDevicesSessionsNever() {
        sessions.insertPending(new SessionRecord("p1", "D1", "0xaa", "gw", SessionState.ENCAPSULATED, NOW,
                NOW.plusSeconds(30), "2026-11-25T10:00:00Z", NOW.plus(TTL), 1_000, new byte[32],
                new byte[40], new byte[40], new byte[40], null, 0));
        handshake("other", "D10", NOW);
        assertEquals(List.of("p1"), index.unexpired("D1", NOW.plusSeconds(29)));
        assertEquals(List.of(), index.unexpired("D1", NOW.plusSeconds(30)));
        assertEquals(List.of("other"), index.unexpired("D10", NOW.plusSeconds(30)));
    }

    @Test
    void aListWrittenBeforeBucketsIsStillReadAndShrinksAtTheNextListing() {
        stored.insertOne(new Document("_id", "D1").append("sessions", List.of(
                new Document("id", "old-live").append("expiresAt", Date.from(NOW.plusSeconds(3_600))),
                new Document("id", "old-gone").append("expiresAt", Date.from(NOW.minusSeconds(1))))));
        assertEquals(List.of("old-live"), index.unexpired("D1", NOW));

        handshake("new", "D1", NOW);
        assertEquals(Set.of("old-live", "new"), new HashSet<>(index.unexpired("D1", NOW.plusSeconds(2))));
        Document head = stored.find(Filters.eq("_id", "D1")).first();
        assertEquals(1, head.getList("sessions", Document.class).size(), "the expired old entry was dropped");
    }

    @Test
    void retentionDeletesABucketOnlyOnceItsWholeSpanHasPassed() {
        handshake("s1", "D1", NOW);
        SessionRecord s = sessions.find("s1").orElseThrow();
        String bucket = DeviceSessionIndex.bucketId("D1", DeviceSessionIndex.bucketOf(s.expiresAtInstant()));
        assertNotNull(stored.find(Filters.eq("_id", bucket)).first());

        index.deleteEnded("D1", List.of(s.expiresAtInstant()), s.expiresAtInstant());
        assertNotNull(stored.find(Filters.eq("_id", bucket)).first(), "its span has not passed: others may be listed there");

        index.deleteEnded("D1", List.of(s.handshakeDeadline(), s.expiresAtInstant()), s.expiresAtInstant().plus(DeviceSessionIndex.SPAN));
        assertNull(stored.find(Filters.eq("_id", bucket)).first());
        assertNull(stored.find(Filters.eq("_id", DeviceSessionIndex.bucketId("D1",
                DeviceSessionIndex.bucketOf(s.handshakeDeadline())))).first(), "the hello's bucket too");
    }
}
