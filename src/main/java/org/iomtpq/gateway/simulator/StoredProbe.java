package org.iomtpq.gateway.simulator;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Projections;
import org.bson.Document;
import org.iomtpq.gateway.protocol.Base64s;

/**
 * Looks into the gateway's {@code observations} collection from outside: MQTT gives the device no acknowledgement
 * of storage, so "durably stored" can only be seen in the database. Counts stored messages, and for sampled
 * messages polls every {@value #POLL_MILLIS} ms for their {@code (sessionId, seq)} to measure publish → stored.
 * One polling thread checks all pending samples on each tick, so a slow sample does not delay the others.
 */
final class StoredProbe implements Arrivals {

    static final int POLL_MILLIS = 2;
    /** More pending samples are skipped: the polling must not become a load of its own on the gateway's MongoDB. */
    static final int MAX_PENDING = 8;
    static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(10);

    private record Sample(String sessionId, long seq, long sentNanos) {
    }

    private final MongoClient client;
    private final MongoCollection<Document> observations;
    private final Queue<Sample> incoming = new ConcurrentLinkedQueue<>();
    private final List<Double> latenciesMs = new ArrayList<>();
    /** The same latencies, since the last {@link #takeRecentLatencies()} (guarded by latenciesMs). */
    private final List<Double> recentMs = new ArrayList<>();
    private final AtomicInteger lost = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger skipped = new AtomicInteger();
    private final Thread poller;
    private volatile boolean stopping;

    StoredProbe(String mongoUri, String database) {
        this.client = MongoClients.create(mongoUri);
        this.observations = client.getDatabase(database).getCollection("observations");
        this.poller = new Thread(this::poll, "bench-stored-probe");
        poller.setDaemon(true);
        poller.start();
    }

    /**
     * All stored observations (the bench's database is fresh). The collection's count, not a filtered count: that
     * would scan the collection on the embedded server every time and become a load of its own.
     */
    @Override
    public long countAll() {
        return observations.estimatedDocumentCount();
    }

    @Override
    public void sample(byte[] sessionId, long seq, long sentNanos) {
        if (inFlight.incrementAndGet() > MAX_PENDING) {
            inFlight.decrementAndGet();
            skipped.incrementAndGet();
            return;
        }
        incoming.add(new Sample(Base64s.encode(sessionId), seq, sentNanos));
    }

    /** Waits until every sample was seen or given up on, then summarises. */
    @Override
    public LatencySummary finish() throws InterruptedException {
        stopping = true;
        poller.join(GIVE_UP_NANOS / 1_000_000 + 5_000);
        synchronized (latenciesMs) {
            return LatencySummary.of(latenciesMs.stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

    @Override
    public double[] takeRecentLatencies() {
        synchronized (latenciesMs) {
            double[] out = recentMs.stream().mapToDouble(Double::doubleValue).toArray();
            recentMs.clear();
            return out;
        }
    }

    /** Samples not seen stored within 10 s (lost, rejected, or a very slow gateway). */
    @Override
    public int lost() {
        return lost.get();
    }

    /** Samples not taken because {@value #MAX_PENDING} were already pending. */
    @Override
    public int skipped() {
        return skipped.get();
    }

    private void poll() {
        List<Sample> pending = new ArrayList<>();
        while (!(stopping && pending.isEmpty() && incoming.isEmpty())) {
            for (Sample s; (s = incoming.poll()) != null; ) {
                pending.add(s);
            }
            for (Iterator<Sample> it = pending.iterator(); it.hasNext(); ) {
                Sample s = it.next();
                // by _id, the observation's (sessionId, seq): anything else would scan on the embedded server
                boolean stored = observations.find(new Document("_id",
                                org.iomtpq.gateway.store.ObservationRepository.id(s.sessionId(), s.seq())))
                        .projection(Projections.include("_id")).first() != null;
                long now = System.nanoTime();
                if (stored) {
                    synchronized (latenciesMs) {
                        latenciesMs.add((now - s.sentNanos()) / 1e6);
                        recentMs.add((now - s.sentNanos()) / 1e6);
                    }
                    it.remove();
                    inFlight.decrementAndGet();
                } else if (now - s.sentNanos() > GIVE_UP_NANOS) {
                    lost.incrementAndGet();
                    it.remove();
                    inFlight.decrementAndGet();
                }
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        stopping = true;
        client.close();
    }
}
