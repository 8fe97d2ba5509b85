package org.iomtpq.gateway.tools;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.InsertManyOptions;
import org.bson.Document;
import org.iomtpq.gateway.protocol.Base64s;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.protocol.SessionState;
import org.iomtpq.gateway.protocol.Timestamps;
import org.iomtpq.gateway.simulator.VitalSigns;
import org.iomtpq.gateway.store.Collections;
import org.iomtpq.gateway.store.ObservationRecord;
import org.iomtpq.gateway.store.ObservationRepository;
import org.iomtpq.gateway.store.SessionRecord;
import org.iomtpq.gateway.store.SessionRepository;

/**
 * Gives a gateway's store a history before {@code ./iomt bench --growth} measures it: past sessions of a ward's devices
 * and their observations, written with the repositories' own document builders (so the stored shapes are the
 * gateway's) but in large unordered {@code insertMany} batches through the driver, because a million messages through
 * the API would take longer than the benchmark. Counts are checked afterwards: a growth figure for a store that did not
 * grow would be worthless.
 * <p>
 * The history: {@code devices} devices of the three simulated types; session {@code j} belongs to device {@code j %
 * devices}; sessions started every {@link #SESSION_SPACING} one after the other (so with hundreds of devices each
 * device re-handshakes every few hours); each session holds seqs 1..n with n = observations / sessions (the first few
 * one more), one reading every {@link #READING_INTERVAL}, received 80 ms after it was observed; the last reading is
 * shortly before {@code now}. Sessions are stored as {@code authenticate} leaves them: AUTHENTICATED, the finished key and
 * transcript dropped, revision 1.
 */
final class StoreFiller {

    static final int BATCH = 10_000;
    static final Duration SESSION_SPACING = Duration.ofSeconds(30);
    static final Duration READING_INTERVAL = Duration.ofSeconds(10);
    static final Duration SESSION_TTL = Duration.ofHours(24);
    private static final String[] TYPES = {"bp-monitor", "pulse-oximeter", "thermometer"};

    /** What to store: {@code observations} spread over {@code sessions}, which belong to {@code devices} devices. */
    record Plan(long observations, long sessions, int devices, String gatewayId) {
        Plan {
            if (observations < 0 || sessions < 0 || devices < 1 || (observations > 0 && sessions == 0)) {
                throw new IllegalArgumentException("need observations >= 0, sessions >= 1 when there are observations,"
                        + " devices >= 1");
            }
        }

        /** seq count of session {@code j}: observations / sessions, the first (observations % sessions) one more. */
        long observationsOf(long session) {
            long base = observations / sessions;
            return base + (session < observations % sessions ? 1 : 0);
        }
    }

    /** What was stored and how long it took (the load, the count check included). */
    record Result(long observations, long sessions, double seconds) {
        double documentsPerSecond() {
            return seconds <= 0 ? 0 : (observations + sessions) / seconds;
        }
    }

    private final MongoCollection<Document> observations;
    private final MongoCollection<Document> sessions;
    private final MongoCollection<Document> storedSeqs;
    private final Random random;

    StoreFiller(MongoDatabase db, long seed) {
        this.observations = db.getCollection(Collections.OBSERVATIONS);
        this.sessions = db.getCollection(Collections.SESSIONS);
        this.storedSeqs = db.getCollection(Collections.SESSION_SEQS);
        this.random = new Random(seed);
    }

    /**
     * Stores the plan's history ending at {@code now}; throws {@link IllegalStateException} when the collections did
     * not grow by exactly the planned counts (the collection counts, which the embedded server answers without a scan).
     */
    Result fill(Plan plan, Instant now) {
        long t0 = System.nanoTime();
        long observationsBefore = observations.estimatedDocumentCount();
        long sessionsBefore = sessions.estimatedDocumentCount();
        List<Document> sessionBatch = new ArrayList<>(BATCH);
        List<Document> observationBatch = new ArrayList<>(BATCH);
        List<Document> rangeBatch = new ArrayList<>(BATCH); // what the observation writer keeps per session
        // early enough that the last session's last reading is still in the past
        List<String> sessionIds = ascendingSessionIds(plan.sessions());
        Instant firstStart = now.minus(SESSION_SPACING.multipliedBy(plan.sessions() + 1))
                .minus(READING_INTERVAL.multipliedBy(plan.sessions() == 0 ? 0 : plan.observationsOf(0) + 1));
        for (long j = 0; j < plan.sessions(); j++) {
            Instant createdAt = firstStart.plus(SESSION_SPACING.multipliedBy(j));
            int device = (int) (j % plan.devices());
            String sessionId = sessionIds.get((int) j);
            String deviceId = deviceId(device);
            sessionBatch.add(sessionDocument(plan, sessionId, deviceId, createdAt));
            flushIfFull(sessions, sessionBatch);
            if (plan.observationsOf(j) > 0) {
                rangeBatch.add(new Document("_id", sessionId).append("first", 1L).append("top", plan.observationsOf(j)));
                flushIfFull(storedSeqs, rangeBatch);
            }
            for (long seq = 1; seq <= plan.observationsOf(j); seq++) {
                Instant observedAt = createdAt.plusSeconds(1).plus(READING_INTERVAL.multipliedBy(seq - 1));
                observationBatch.add(ObservationRepository.toDocument(new ObservationRecord(sessionId, seq, deviceId,
                        plan.gatewayId(), Timestamps.format(observedAt), Timestamps.format(observedAt.plusMillis(80)),
                        VitalSigns.sample(TYPES[device % TYPES.length], random).vitals(), Map.of(),
                        Hex0x.encode(bytes(32)))));
                flushIfFull(observations, observationBatch);
            }
        }
        flush(sessions, sessionBatch);
        flush(observations, observationBatch);
        flush(storedSeqs, rangeBatch);
        long storedObservations = observations.estimatedDocumentCount() - observationsBefore;
        long storedSessions = sessions.estimatedDocumentCount() - sessionsBefore;
        if (storedObservations != plan.observations() || storedSessions != plan.sessions()) {
            throw new IllegalStateException(String.format("store fill incomplete: %d of %d observations, %d of %d sessions"
                    + " stored", storedObservations, plan.observations(), storedSessions, plan.sessions()));
        }
        return new Result(storedObservations, storedSessions, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Random session ids as the gateway makes them, handed out in ascending order: then every batch appends to the
     * end of the {@code (sessionId, seq)} index instead of touching pages all over it, and the commit after each
     * batch writes a few pages instead of much of the index. Measured (1,000,000 observations + 100,000 sessions, H2
     * file, shared 2-core machine): 559 s and a 3.4 GB file in random order, 151 s and 2.0 GB in ascending order. The
     * stored data are the same; only their insertion order differs.
     */
    private List<String> ascendingSessionIds(long count) {
        List<String> ids = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            ids.add(Base64s.encode(bytes(16)));
        }
        java.util.Collections.sort(ids);
        return ids;
    }

    /** Device ids of the history, of the simulated types, distinct from the load generator's BENCHxxxx ids. */
    static String deviceId(int device) {
        return String.format("WARD_%s_%04d", TYPES[device % TYPES.length].toUpperCase().replace('-', '_'), device + 1);
    }

    /** A session as {@code SessionRepository.authenticate} leaves it after {@code insertPending}. */
    private Document sessionDocument(Plan plan, String sessionId, String deviceId, Instant createdAt) {
        Instant expires = createdAt.plus(SESSION_TTL);
        Document d = SessionRepository.toDocument(new SessionRecord(sessionId, deviceId, Hex0x.encode(bytes(32)),
                plan.gatewayId(), SessionState.AUTHENTICATED, createdAt, createdAt.plusSeconds(30),
                Timestamps.format(expires), expires, 1_000_000, bytes(32), bytes(60), bytes(60), bytes(60), null, 0));
        d.remove("finishedKeyWrapped");
        d.remove("transcriptHash");
        d.put("authenticatedAt", java.util.Date.from(createdAt.plusMillis(40)));
        d.put("revision", 1L);
        return d;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static void flushIfFull(MongoCollection<Document> collection, List<Document> batch) {
        if (batch.size() >= BATCH) {
            flush(collection, batch);
        }
    }

    private static void flush(MongoCollection<Document> collection, List<Document> batch) {
        if (!batch.isEmpty()) {
            collection.insertMany(batch, new InsertManyOptions().ordered(false));
            batch.clear();
        }
    }
}
