package org.iomtpq.gateway.embedded;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store commits after every write command and does H2's chunk maintenance itself (its background
 * thread is off, see EmbeddedMongo): a long run of small updates — the writer's per-batch stored-seq update, the
 * leases' renewals — must not make the file grow without end.
 */
class EmbeddedMongoFileSizeTest {

    @TempDir
    Path dir;

    @Test
    void manySmallUpdatesOfFewDocumentsKeepTheFileSmall() throws Exception {
        Path file = dir.resolve("mongo/iomt.mv.db");
        List<Long> sizes = new ArrayList<>();
        try (EmbeddedMongo mongo = EmbeddedMongo.start(dir, "127.0.0.1", 0);
             MongoClient client = MongoClients.create(mongo.connectionString())) {
            MongoCollection<Document> seqs = client.getDatabase("iomt").getCollection("session_seqs");
            long end = System.nanoTime() + 8_000_000_000L;
            for (int i = 0; System.nanoTime() < end; i++) {
                seqs.updateOne(Filters.eq("_id", "s" + (i % 100)), Updates.max("top", i), new UpdateOptions().upsert(true));
                if (i % 2_000 == 0) {
                    sizes.add(Files.size(file));
                }
            }
        }
        System.out.println("EmbeddedMongoFileSizeTest: file sizes every 2,000 updates: " + sizes);
        long last = sizes.get(sizes.size() - 1);
        assertTrue(last < 64L << 20, // 216 MB after 8 s with H2's 45 s chunk retention, still growing
                "the store file grew to " + last + " bytes for 100 small documents: " + sizes);
    }
}
