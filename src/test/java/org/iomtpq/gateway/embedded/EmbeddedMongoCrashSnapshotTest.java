package org.iomtpq.gateway.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.InsertManyOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a {@code kill -9} leaves of the embedded store is its file as it is at that instant. Every such instant must
 * hold whole write commands only: a document in a collection without its {@code _id} index entry (a command cut in
 * two by H2's background auto-commit) made every later insert of that key fail with "Unknown error" instead of
 * 11000 — in the crash test, thousands of acknowledged MQTT messages retried, overtaken by newer ones, and refused
 * REPLAY. Here the file is copied while writers run (as a crash would find it) and each copy is checked.
 */
class EmbeddedMongoCrashSnapshotTest {

    private static final int SNAPSHOTS = 10;

    @TempDir
    Path dir;

    @Test
    void everyInstantOfTheFileHoldsWholeWriteCommands() throws Exception {
        Path live = dir.resolve("live");
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Path> snapshots = new ArrayList<>();
        try (EmbeddedMongo mongo = EmbeddedMongo.start(live, "127.0.0.1", 0);
             MongoClient client = MongoClients.create(mongo.connectionString())) {
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                String prefix = "w" + w + "-";
                Thread t = new Thread(() -> writeBatches(client.getDatabase("iomt").getCollection("observations"),
                        prefix, writing));
                t.start();
                writers.add(t);
            }
            Path file = live.resolve("mongo/iomt.mv.db");
            for (int i = 0; i < SNAPSHOTS; i++) {
                Thread.sleep(150 + 37L * i); // lands at varied offsets from H2's once-a-second background work
                Path copy = dir.resolve("snap-" + i).resolve("mongo/iomt.mv.db");
                Files.createDirectories(copy.getParent());
                Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                snapshots.add(dir.resolve("snap-" + i));
            }
            writing.set(false);
            for (Thread t : writers) {
                t.join();
            }
        }
        for (Path snapshot : snapshots) {
            assertOnlyWholeInserts(snapshot);
        }
    }

    private static void writeBatches(MongoCollection<Document> observations, String prefix, AtomicBoolean writing) {
        int n = 0;
        while (writing.get()) {
            List<Document> batch = new ArrayList<>();
            for (int i = 0; i < 50; i++, n++) {
                batch.add(new Document("_id", prefix + n).append("seq", n).append("vitals",
                        new Document("heartRate", 60 + n % 40).append("spo2", 97.0)));
            }
            observations.insertMany(batch, new InsertManyOptions().ordered(false));
            try {
                Thread.sleep(2); // the snapshots' check re-inserts everything: keep the volume moderate
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Re-inserting every document found must be refused as a duplicate (11000): the index knows each of them. */
    private static void assertOnlyWholeInserts(Path snapshot) {
        try (EmbeddedMongo mongo = EmbeddedMongo.start(snapshot, "127.0.0.1", 0);
             MongoClient client = MongoClients.create(mongo.connectionString())) {
            MongoCollection<Document> observations = client.getDatabase("iomt").getCollection("observations");
            List<Document> found = observations.find().into(new ArrayList<>());
            if (found.isEmpty()) {
                return;
            }
            try {
                observations.insertMany(found, new InsertManyOptions().ordered(false));
            } catch (MongoBulkWriteException e) {
                assertTrue(e.getWriteErrors().stream().allMatch(err -> err.getCode() == 11000),
                        () -> snapshot + ": " + e.getWriteErrors().get(0));
                assertEquals(found.size(), e.getWriteErrors().size(), snapshot + ": some documents were not indexed");
                return;
            }
            throw new AssertionError(snapshot + ": " + found.size() + " documents re-inserted: none was indexed");
        }
    }
}
