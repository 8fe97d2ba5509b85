package org.iomtpq.gateway.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import org.bson.Document;
import org.iomtpq.gateway.embedded.EmbeddedMongo;
import org.iomtpq.gateway.protocol.SessionState;
import org.iomtpq.gateway.protocol.Timestamps;
import org.iomtpq.gateway.store.MongoSchema;
import org.iomtpq.gateway.store.ObservationRecord;
import org.iomtpq.gateway.store.ObservationRepository;
import org.iomtpq.gateway.store.SessionRecord;
import org.iomtpq.gateway.store.SessionRepository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StoreFillerTest {

    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

    private EmbeddedMongo mongo;
    private MongoClient client;
    private MongoDatabase db;

    @BeforeEach
    void start() {
        mongo = EmbeddedMongo.startInMemory();
        client = MongoClients.create(mongo.connectionString());
        db = client.getDatabase("iomt");
        MongoSchema.ensureIndexes(db);
    }

    @AfterEach
    void stop() {
        client.close();
        mongo.close();
    }

    @Test
    void storesThePlannedCountsWithSeqsOneToNPerSessionAcrossBatches() {
        // more than one batch of observations, and a remainder: 25,003 over 8 sessions = 3,125 each, the first 3 one more
        StoreFiller.Plan plan = new StoreFiller.Plan(StoreFiller.BATCH * 2L + 5_003, 8, 3, "gateway-01");
        StoreFiller.Result result = new StoreFiller(db, 1).fill(plan, NOW);

        assertEquals(25_003, result.observations());
        assertEquals(8, result.sessions());
        assertEquals(25_003, db.getCollection("observations").countDocuments());
        Map<String, Long> maxSeq = new HashMap<>();
        Map<String, Long> count = new HashMap<>();
        for (Document o : db.getCollection("observations").find()) {
            maxSeq.merge(o.getString("sessionId"), o.getLong("seq"), Math::max);
            count.merge(o.getString("sessionId"), 1L, Long::sum);
        }
        assertEquals(8, count.size());
        assertEquals(maxSeq, count, "seqs are 1..n without gaps (unique index: no repeats)");
        assertEquals(3, count.values().stream().filter(n -> n == 3_126).count());
        assertEquals(5, count.values().stream().filter(n -> n == 3_125).count());
    }

    @Test
    void observationsHaveTheRepositorysShapeAndPlausibleHistory() {
        new StoreFiller(db, 2).fill(new StoreFiller.Plan(600, 60, 30, "gateway-01"), NOW);

        Document stored = db.getCollection("observations").find().first();
        Document reference = ObservationRepository.toDocument(new ObservationRecord("s", 1, "d", "g", "t", "t",
                Map.of("heartRate", BigDecimal.ONE), Map.of(), "h"));
        assertEquals(reference.keySet(), stored.keySet());
        assertEquals(ObservationRepository.id(stored.getString("sessionId"), stored.getLong("seq")), stored.get("_id"),
                "the repository's key, so the growth bench measures the real index");
        Set<String> devices = new HashSet<>();
        for (Document o : db.getCollection("observations").find()) {
            devices.add(o.getString("deviceId"));
            Instant observed = Timestamps.parse(o.getString("observedAt"));
            Instant received = Timestamps.parse(o.getString("receivedAt"));
            assertTrue(observed.isBefore(NOW) && observed.isAfter(NOW.minusSeconds(86_400)), "in the last day");
            assertTrue(received.isAfter(observed));
            assertFalse(o.get("vitals", Document.class).isEmpty());
            assertTrue(o.getString("payloadHash").matches("0x[0-9a-f]{64}"));
        }
        assertEquals(30, devices.size());
        java.util.List<String> inInsertionOrder = new java.util.ArrayList<>();
        db.getCollection("sessions").find().forEach(d -> inInsertionOrder.add(d.getString("_id")));
        java.util.List<String> sorted = new java.util.ArrayList<>(inInsertionOrder);
        java.util.Collections.sort(sorted);
        assertEquals(sorted, inInsertionOrder, "ascending ids: appends to the (sessionId, seq) index");
        assertEquals(60, new HashSet<>(inInsertionOrder).size());
    }

    @Test
    void sessionsReadBackAsAuthenticatedWithWrappedKeysAndNoPendingSecrets() {
        new StoreFiller(db, 3).fill(new StoreFiller.Plan(10, 5, 5, "gateway-01"), NOW);

        Document d = db.getCollection("sessions").find().first();
        SessionRecord s = new SessionRepository(db).find(d.getString("_id")).orElseThrow();
        assertEquals(SessionState.AUTHENTICATED, s.state());
        assertEquals(1, s.revision());
        assertEquals(60, s.deviceToGatewayKeyWrapped().length);
        assertEquals(null, s.finishedKeyWrapped());
        assertEquals(null, s.transcriptHash());
        assertTrue(d.containsKey("authenticatedAt"));
        assertEquals(SessionRepository.toDocument(new SessionRecord("x", "d", "c", "g", SessionState.ENCAPSULATED,
                NOW, NOW, "t", NOW, 1, new byte[1], new byte[1], new byte[1], new byte[1], null, 0)).keySet().size() - 2 + 1,
                d.keySet().size(), "insertPending's fields, less the two authenticate drops, plus authenticatedAt");
    }

    @Test
    void anEmptyPlanStoresNothingAndARefusedFillFailsLoudly() {
        assertEquals(0, new StoreFiller(db, 4).fill(new StoreFiller.Plan(0, 0, 100, "g"), NOW).observations());
        new StoreFiller(db, 5).fill(new StoreFiller.Plan(20, 2, 2, "g"), NOW);
        // the same seed again: the same session ids and (sessionId, seq) pairs, refused by the unique indexes
        assertThrows(RuntimeException.class, () -> new StoreFiller(db, 5).fill(new StoreFiller.Plan(20, 2, 2, "g"), NOW));
        assertThrows(IllegalArgumentException.class, () -> new StoreFiller.Plan(10, 0, 1, "g"));
    }
}
