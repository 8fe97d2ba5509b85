package org.iomtpq.gateway.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Write commands from many connections share commits (group commit), and still every acknowledged write is in the
 * file before its answer: a copy of the file taken after a set of answers holds all of them, as a {@code kill -9} at
 * that instant would find it.
 */
class EmbeddedMongoGroupCommitTest {

    private static final int WRITERS = 8;
    private static final int INSERTS_EACH = 150;

    @TempDir
    Path dir;

    @Test
    void concurrentWritersShareCommitsAndEveryAnsweredWriteIsInTheFile() throws Exception {
        Path live = dir.resolve("live");
        ConcurrentLinkedQueue<String> answered = new ConcurrentLinkedQueue<>();
        List<Set<String>> answeredBeforeCopy = new ArrayList<>();
        List<Path> copies = new ArrayList<>();
        long commands;
        long commits;
        try (EmbeddedMongo mongo = EmbeddedMongo.start(live, "127.0.0.1", 0);
             MongoClient client = MongoClients.create(mongo.connectionString())) {
            MongoCollection<Document> sessions = client.getDatabase("iomt").getCollection("sessions");
            sessions.insertOne(new Document("_id", "warm-up"));
            CommitOnWriteH2Backend backend = (CommitOnWriteH2Backend) mongo.backend();
            long commandsBefore = backend.writeCommands();
            long commitsBefore = backend.commits();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                String prefix = "w" + w + "-";
                Thread t = new Thread(() -> {
                    await(start);
                    for (int i = 0; i < INSERTS_EACH; i++) { // one small write command each, like a handshake's
                        sessions.insertOne(new Document("_id", prefix + i).append("state", "ENCAPSULATED"));
                        answered.add(prefix + i);
                    }
                });
                t.start();
                writers.add(t);
            }
            start.countDown();
            Path file = live.resolve("mongo/iomt.mv.db");
            for (int c = 0; c < 5; c++) {
                Thread.sleep(40);
                Set<String> before = new HashSet<>(answered);
                Path copy = dir.resolve("copy-" + c).resolve("mongo/iomt.mv.db");
                Files.createDirectories(copy.getParent());
                Files.copy(file, copy);
                answeredBeforeCopy.add(before);
                copies.add(dir.resolve("copy-" + c));
            }
            for (Thread t : writers) {
                t.join();
            }
            commands = backend.writeCommands() - commandsBefore;
            commits = backend.commits() - commitsBefore;
        }
        System.out.println("EmbeddedMongoGroupCommitTest: " + commands + " write commands, " + commits + " commits");
        assertEquals(WRITERS * INSERTS_EACH, commands, "one write command per insert");
        assertTrue(commits < commands, "no commit was shared: " + commits + " commits for " + commands + " commands");
        for (int c = 0; c < copies.size(); c++) {
            Set<String> inFile = idsIn(copies.get(c));
            Set<String> missing = new HashSet<>(answeredBeforeCopy.get(c));
            missing.removeAll(inFile);
            assertTrue(missing.isEmpty(), "copy " + c + ": answered but not in the file: " + missing);
        }
    }

    private static Set<String> idsIn(Path dataDir) {
        Set<String> ids = new HashSet<>();
        try (EmbeddedMongo mongo = EmbeddedMongo.start(dataDir, "127.0.0.1", 0);
             MongoClient client = MongoClients.create(mongo.connectionString())) {
            for (Document d : client.getDatabase("iomt").getCollection("sessions").find()) {
                ids.add(d.getString("_id"));
            }
        }
        return ids;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
