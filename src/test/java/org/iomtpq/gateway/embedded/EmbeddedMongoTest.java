package org.iomtpq.gateway.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins down which MongoDB features the gateway's stores may rely on when running on mongo-java-server,
 * through the real driver. The same assertions hold on a real MongoDB, except where noted.
 */
class EmbeddedMongoTest {

    @TempDir
    Path dataDir;

    private EmbeddedMongo mongo;
    private MongoClient client;

    @BeforeEach
    void startFileBacked() {
        mongo = EmbeddedMongo.start(dataDir, "127.0.0.1", 0);
        client = MongoClients.create(mongo.connectionString());
    }

    @AfterEach
    void stop() {
        client.close();
        mongo.close();
    }

    @Test
    void connectionStringNamesTheRealPortAndTheStoreIsTheDocumentedFile() {
        assertTrue(mongo.port() > 0);
        assertEquals("mongodb://127.0.0.1:" + mongo.port(), mongo.connectionString());
        observations().insertOne(observation("s1", 1));
        assertTrue(Files.isRegularFile(dataDir.resolve("mongo/iomt.mv.db")));
    }

    @Test
    void uniqueCompoundIndexRejectsADuplicateWithCode11000() {
        MongoCollection<Document> observations = observationsWithUniqueIndex();
        observations.insertOne(observation("s1", 1));

        MongoWriteException duplicate = assertThrows(MongoWriteException.class,
                () -> observations.insertOne(observation("s1", 1)));

        assertEquals(11000, duplicate.getCode());
        assertEquals(ErrorCategory.DUPLICATE_KEY, duplicate.getError().getCategory());
        observations.insertOne(observation("s2", 1)); // same seq, other session: fine
        assertEquals(2, observations.countDocuments());
    }

    @Test
    void unorderedInsertManyStoresAllButTheDuplicateAndReportsItsIndex() {
        MongoCollection<Document> observations = observationsWithUniqueIndex();
        observations.insertOne(observation("s1", 1));

        MongoBulkWriteException failure = assertThrows(MongoBulkWriteException.class,
                () -> observations.insertMany(List.of(observation("s1", 2), observation("s1", 1), observation("s1", 3)),
                        new InsertManyOptions().ordered(false)));

        assertEquals(1, failure.getWriteErrors().size());
        assertEquals(1, failure.getWriteErrors().get(0).getIndex());
        assertEquals(11000, failure.getWriteErrors().get(0).getCode());
        assertEquals(List.of(1, 2, 3), seqsOf("s1"));
        // Unlike MongoDB (which would say 2), mongo-java-server 1.47 reports every document as inserted:
        // callers must derive what was stored from the write errors, never from this count.
        assertEquals(3, failure.getWriteResult().getInsertedCount());
    }

    @Test
    void orderedInsertManyStopsAtTheDuplicate() {
        MongoCollection<Document> observations = observationsWithUniqueIndex();
        observations.insertOne(observation("s1", 1));

        MongoBulkWriteException failure = assertThrows(MongoBulkWriteException.class,
                () -> observations.insertMany(List.of(observation("s2", 1), observation("s1", 1), observation("s2", 2))));

        assertEquals(1, failure.getWriteErrors().get(0).getIndex());
        assertEquals(List.of(1), seqsOf("s2"));
    }

    @Test
    void maxAndSetCombineInOneUpdate() {
        MongoCollection<Document> sessions = client.getDatabase("iomt").getCollection("sessions");
        sessions.insertOne(new Document("_id", "s1").append("highestSeq", 5L).append("state", "ENCAPSULATED"));

        sessions.updateOne(Filters.eq("_id", "s1"),
                Updates.combine(Updates.max("highestSeq", 3L), Updates.set("state", "AUTHENTICATED")));
        Document afterLower = sessions.find(Filters.eq("_id", "s1")).first();
        assertEquals(5L, afterLower.getLong("highestSeq"));
        assertEquals("AUTHENTICATED", afterLower.getString("state"));

        sessions.updateOne(Filters.eq("_id", "s1"), Updates.max("highestSeq", 9L));
        assertEquals(9L, sessions.find(Filters.eq("_id", "s1")).first().getLong("highestSeq"));
    }

    @Test
    void findOneAndUpdateIsAConditionalStateTransition() {
        MongoCollection<Document> sessions = client.getDatabase("iomt").getCollection("sessions");
        sessions.insertOne(new Document("_id", "s1").append("state", "ENCAPSULATED"));
        FindOneAndUpdateOptions returnAfter = new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER);

        Document won = sessions.findOneAndUpdate(Filters.and(Filters.eq("_id", "s1"), Filters.eq("state", "ENCAPSULATED")),
                Updates.set("state", "AUTHENTICATED"), returnAfter);
        Document lost = sessions.findOneAndUpdate(Filters.and(Filters.eq("_id", "s1"), Filters.eq("state", "ENCAPSULATED")),
                Updates.set("state", "FAILED"), returnAfter);
        Document upserted = sessions.findOneAndUpdate(Filters.eq("_id", "s2"), Updates.setOnInsert("state", "NEW"),
                new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER));

        assertEquals("AUTHENTICATED", won.getString("state"));
        assertNull(lost);
        assertEquals("NEW", upserted.getString("state"));
    }

    @Test
    void countDocumentsAndSortWithLimit() {
        MongoCollection<Document> observations = observationsWithUniqueIndex();
        for (int seq = 1; seq <= 5; seq++) {
            observations.insertOne(observation("s1", seq));
        }
        observations.insertOne(observation("s2", 1));

        assertEquals(5, observations.countDocuments(Filters.eq("sessionId", "s1")));
        List<Integer> newestTwo = new ArrayList<>();
        observations.find(Filters.eq("sessionId", "s1")).sort(Sorts.descending("seq")).limit(2)
                .forEach(document -> newestTwo.add(document.getInteger("seq")));
        assertEquals(List.of(5, 4), newestTwo);
    }

    @Test
    void restartOnTheSameFileKeepsDocumentsAndUniqueIndexes() {
        observationsWithUniqueIndex().insertOne(observation("s1", 1));
        client.close();
        mongo.close();

        mongo = EmbeddedMongo.start(dataDir, "127.0.0.1", 0);
        client = MongoClients.create(mongo.connectionString());

        assertEquals(1, observations().countDocuments());
        MongoWriteException duplicate = assertThrows(MongoWriteException.class,
                () -> observations().insertOne(observation("s1", 1)));
        assertEquals(11000, duplicate.getCode());
    }

    /**
     * Pages are saved from cached bytes of unchanged documents (EncodedDocuments): every update must still reach the
     * file, including those of documents whose page was just read back from it, and of their neighbours.
     */
    @Test
    void everyUpdateSurvivesARestartWhilePagesAreSavedFromCachedBytes() {
        MongoCollection<Document> sessions = client.getDatabase("iomt").getCollection("sessions");
        for (int i = 0; i < 300; i++) { // several leaf pages
            sessions.insertOne(new Document("_id", "s" + i).append("state", "ENCAPSULATED").append("revision", 0L));
        }
        for (int round = 1; round <= 3; round++) {
            for (int i = round; i < 300; i += 2 + round) { // a changed document next to unchanged ones
                sessions.updateOne(Filters.eq("_id", "s" + i), Updates.combine(Updates.set("state", "R" + round),
                        Updates.inc("revision", 1L), Updates.push("seen", round)));
            }
            client.close();
            mongo.close();
            mongo = EmbeddedMongo.start(dataDir, "127.0.0.1", 0); // the next round reads its pages from the file
            client = MongoClients.create(mongo.connectionString());
            sessions = client.getDatabase("iomt").getCollection("sessions");
        }
        for (int i = 0; i < 300; i++) {
            Document d = sessions.find(Filters.eq("_id", "s" + i)).first();
            List<Integer> expected = new ArrayList<>();
            String state = "ENCAPSULATED";
            for (int round = 1; round <= 3; round++) {
                if (i >= round && (i - round) % (2 + round) == 0) {
                    expected.add(round);
                    state = "R" + round;
                }
            }
            assertEquals(state, d.getString("state"), "s" + i);
            assertEquals((long) expected.size(), d.getLong("revision"), "s" + i);
            assertEquals(expected, d.getList("seen", Integer.class, List.of()), "s" + i);
        }
    }

    @Test
    void aSecondServerOnALockedFileFailsClearly() {
        EmbeddedStartException failure = assertThrows(EmbeddedStartException.class,
                () -> EmbeddedMongo.start(dataDir, "127.0.0.1", 0));
        assertTrue(failure.getMessage().contains("iomt.mv.db"), failure.getMessage());
    }

    @Test
    void inMemoryVariantSpeaksTheSameProtocol() {
        try (EmbeddedMongo memory = EmbeddedMongo.startInMemory();
             MongoClient memoryClient = MongoClients.create(memory.connectionString())) {
            MongoCollection<Document> collection = memoryClient.getDatabase("iomt").getCollection("observations");
            collection.createIndex(Indexes.ascending("sessionId", "seq"), new IndexOptions().unique(true));
            collection.insertOne(observation("s1", 1));
            MongoWriteException duplicate = assertThrows(MongoWriteException.class,
                    () -> collection.insertOne(observation("s1", 1)));
            assertEquals(11000, duplicate.getCode());
        }
    }

    private MongoCollection<Document> observations() {
        return client.getDatabase("iomt").getCollection("observations");
    }

    private MongoCollection<Document> observationsWithUniqueIndex() {
        MongoCollection<Document> observations = observations();
        observations.createIndex(Indexes.ascending("sessionId", "seq"), new IndexOptions().unique(true));
        return observations;
    }

    private List<Integer> seqsOf(String sessionId) {
        List<Integer> seqs = new ArrayList<>();
        observations().find(Filters.eq("sessionId", sessionId)).sort(Sorts.ascending("seq"))
                .forEach(document -> seqs.add(document.getInteger("seq")));
        return seqs;
    }

    private static Document observation(String sessionId, int seq) {
        return new Document("sessionId", sessionId).append("seq", seq);
    }
}
