package org.iomtpq.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.mongodb.client.MongoDatabase;
import org.iomtpq.gateway.store.ObservationRepository.InsertOutcome;
import org.iomtpq.gateway.testsupport.InMemoryMongo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The batch insert against the embedded server, which speaks the wire protocol like MongoDB. */
class ObservationRepositoryTest {

    private InMemoryMongo mongo;
    private ObservationRepository observations;

    @BeforeEach
    void start() {
        mongo = new InMemoryMongo();
        observations = new ObservationRepository(mongo.db());
    }

    @AfterEach
    void stop() {
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
    }

    @Test
    void onADatabaseOfAnOlderVersionTheOldUniqueIndexStillGuardsAndAnswers() {
        MongoDatabase legacy = mongo.db();
        legacy.getCollection(Collections.OBSERVATIONS).createIndex(com.mongodb.client.model.Indexes.ascending("sessionId", "seq"),
                new com.mongodb.client.model.IndexOptions().unique(true).name(ObservationRepository.LEGACY_UNIQUE_INDEX));
        legacy.getCollection(Collections.OBSERVATIONS).insertOne(new org.bson.Document("sessionId", "old").append("seq", 1L)
                .append("payloadHash", "stored-by-the-old-version")); // an ObjectId _id, as the old version wrote
        ObservationRepository upgraded = new ObservationRepository(legacy);
        assertEquals(Optional.of("stored-by-the-old-version"), upgraded.storedPayloadHash("old", 1));
        assertEquals(List.of(InsertOutcome.DUPLICATE), upgraded.insertAll(List.of(record("old", 1, "again"))),
                "a seq stored by the old version is not stored again");
    }

    @Test
    void anObservationsIdIsItsSessionAndSeq() {
        observations.insertAll(List.of(record("s1", 7, "a")));
        assertEquals(1, mongo.db().getCollection(Collections.OBSERVATIONS)
                .countDocuments(new org.bson.Document("_id", ObservationRepository.id("s1", 7))));
        assertEquals(List.of(InsertOutcome.DUPLICATE), observations.insertAll(List.of(record("s1", 7, "b"))));
    }

    @Test
    void whenTheStoreIsDownTheWholeBatchFails() {
        mongo.closeClient();
        assertThrows(RuntimeException.class, () -> observations.insertAll(List.of(record("s1", 1, "a"))));
    }
}
