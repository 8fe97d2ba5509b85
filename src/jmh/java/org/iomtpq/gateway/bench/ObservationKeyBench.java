package org.iomtpq.gateway.bench;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertManyOptions;
import org.bson.Document;
import org.iomtpq.gateway.embedded.StoreFormat;
import org.iomtpq.gateway.store.ObservationRecord;
import org.iomtpq.gateway.store.ObservationRepository;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One observation writer batch (470 observations of 100 live sessions, one unordered insertMany) on the embedded
 * MongoDB's H2 file backend holding {@code stored} observations, keyed as the gateway keys them ({@code _id} =
 * sessionId|seq) or as older versions did (ObjectId {@code _id} plus a unique {@code (sessionId, seq)} index), on
 * either store format. In the LEGACY format the embedded server keeps index keys as Java-serialized objects and
 * serializes both sides of every comparison while it searches the tree, so the second shape costs more, and more as
 * the store grows (issue 9); the BSON format compares keys as values.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ObservationKeyBench {

    @Param({"0", "100000"})
    public int stored;

    /** The H2 file's format: the one every new store gets (BSON), or the one older versions wrote (LEGACY). */
    @Param({"LEGACY", "BSON"})
    public StoreFormat format;

    @Param({"ID", "COMPOUND_INDEX"})
    public String key;

    private BenchStore store;
    private MongoCollection<Document> observations;
    private final Random random = new Random(1);
    private final String[] live = new String[100];
    private final long[] seq = new long[100];

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        store = BenchStore.open("iomt-bench-keys", format); // the H2 file backend, in the format measured
        observations = store.db().getCollection("observations");
        if (key.equals("COMPOUND_INDEX")) {
            observations.createIndex(Indexes.ascending("sessionId", "seq"), new IndexOptions().unique(true));
        }
        List<Document> batch = new ArrayList<>();
        String past = null;
        for (int i = 0; i < stored; i++) {
            if (i % 10 == 0) {
                past = sessionId();
            }
            batch.add(document(past, i % 10 + 1));
            if (batch.size() == 10_000 || i == stored - 1) {
                observations.insertMany(batch);
                batch.clear();
            }
        }
        for (int i = 0; i < live.length; i++) {
            live[i] = sessionId();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
    }

    /** Per batch of 470; divide by 470 for the cost per observation. */
    @Benchmark
    public int writerBatch() {
        List<Document> batch = new ArrayList<>(470);
        for (int j = 0; j < 470; j++) {
            int s = random.nextInt(live.length);
            batch.add(document(live[s], ++seq[s]));
        }
        observations.insertMany(batch, new InsertManyOptions().ordered(false));
        return batch.size();
    }

    private Document document(String sessionId, long n) {
        Document d = ObservationRepository.toDocument(new ObservationRecord(sessionId, n, "BENCH0001", "gateway-01",
                "2026-11-24T10:00:00Z", "2026-11-24T10:00:00.123Z",
                Map.of("heartRate", BigDecimal.valueOf(72), "spo2", BigDecimal.valueOf(97)), Map.of(), "0x" + "ab".repeat(32)));
        if (key.equals("COMPOUND_INDEX")) {
            d.remove("_id"); // the driver gives it an ObjectId, as older versions stored it
        }
        return d;
    }

    private String sessionId() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }
}
