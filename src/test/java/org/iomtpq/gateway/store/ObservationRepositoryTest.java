package org.iomtpq.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import org.iomtpq.gateway.embedded.EmbeddedMongo;
import org.iomtpq.gateway.store.ObservationRepository.InsertOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The batch insert against the embedded server, which speaks the wire protocol like MongoDB. */
class ObservationRepositoryTest {

    private EmbeddedMongo mongo;
    private MongoClient client;
    private ObservationRepository observations;

    @BeforeEach
    void start() {
        mongo = EmbeddedMongo.startInMemory();
        client = MongoClients.create(mongo.connectionString());
        MongoDatabase db = client.getDatabase("iomt");
        MongoSchema.ensureIndexes(db);
        observations = new ObservationRepository(db);
    }

    @AfterEach
    void stop() {
        client.close();
        mongo.close();
    }

    private static ObservationRecord record(String session, long seq, String hash) {
        return new ObservationRecord(session, seq, "D1", "gw", "2026-11-23T20:00:00Z", "2026-11-23T20:00:01Z",
                Map.of("heartRate", BigDecimal.valueOf(72)), Map.of(), hash);
    }

    @Test
    void aBatchStoresEverythingNewAndNamesEachDuplicateWithoutStoringIt() {
        observations.insert(record("s1", 2, "first"));

        List<InsertOutcome> outcomes = observations.insertAll(List.of(record("s1", 1, "a"), record("s1", 2, "again"),
                record("s2", 2, "b"), record("s1", 1, "a-twice-in-one-batch"), record("s1", 3, "c")));

        assertEquals(List.of(InsertOutcome.STORED, InsertOutcome.DUPLICATE, InsertOutcome.STORED,
                InsertOutcome.DUPLICATE, InsertOutcome.STORED), outcomes);
        assertEquals(4, observations.count());
        assertEquals(Optional.of("first"), observations.storedPayloadHash("s1", 2), "a duplicate never overwrites");
        assertEquals(Optional.of("a"), observations.storedPayloadHash("s1", 1));
        assertEquals(3, observations.highestSeq("s1"));
    }

    @Test
    void whenTheStoreIsDownTheWholeBatchFails() {
        client.close();
        assertThrows(RuntimeException.class, () -> observations.insertAll(List.of(record("s1", 1, "a"))));
    }
}
