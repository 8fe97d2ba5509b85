package org.iomtpq.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import org.iomtpq.gateway.embedded.EmbeddedMongo;
import org.iomtpq.gateway.store.StoredSeqs.Range;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-session stored-seq ranges on the embedded store's file format: raced widenings, the tops of a batch. */
class StoredSeqsTest {

    @TempDir
    Path dir;

    @Test
    void rangesOnlyWidenAndTheTopsOfABatchAreReadInOneCommand() {
        try (EmbeddedMongo mongo = EmbeddedMongo.start(dir, "127.0.0.1", 0);
             MongoClient client = MongoClients.create(mongo.connectionString())) {
            StoredSeqs instanceA = new StoredSeqs(client.getDatabase("iomt"));
            StoredSeqs instanceB = new StoredSeqs(client.getDatabase("iomt"));
            instanceA.widen(Map.of("s1", new Range(5, 90), "s2", new Range(1, 3)));
            instanceB.widen(Map.of("s1", new Range(2, 40))); // B wrote older seqs of s1 meanwhile
            assertEquals(new Range(2, 90), instanceA.find("s1").orElseThrow(), "a lower top never narrows the range");
            assertEquals(Map.of("s1", 90L, "s2", 3L), instanceB.tops(List.of("s1", "s2", "never-stored")),
                    "a session without a recorded range is absent");
            assertEquals(Map.of(), instanceB.tops(List.of()));
        }
    }
}
