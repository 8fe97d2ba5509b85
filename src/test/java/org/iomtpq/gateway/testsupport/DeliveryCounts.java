package org.iomtpq.gateway.testsupport;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import com.mongodb.client.MongoCollection;
import org.bson.Document;

/** What load and crash tests compare: the seqs each session had acknowledged against the seqs the store holds. */
public final class DeliveryCounts {

    private DeliveryCounts() {
    }

    /** Acknowledged but not stored, summed over the sessions; each session missing some is printed with examples. */
    public static long lost(Map<String, Set<Long>> acknowledged, Map<String, Set<Long>> stored) {
        long lost = 0;
        for (Map.Entry<String, Set<Long>> e : acknowledged.entrySet()) {
            Set<Long> missing = new HashSet<>(e.getValue());
            missing.removeAll(stored.getOrDefault(e.getKey(), Set.of()));
            lost += missing.size();
            if (!missing.isEmpty()) {
                System.out.println("  lost in session " + e.getKey() + ": " + missing.size() + " of " + e.getValue().size()
                        + ", e.g. seq " + missing.stream().sorted().limit(10).toList());
            }
        }
        return lost;
    }

    /**
     * Waits until {@code observations} holds {@code expected} documents, stops growing for {@code quiet}, or
     * {@code atMost} has passed; then 2 s more, so that anything redelivered meanwhile is in (a duplicate would show).
     * A gateway drains the broker's backlog at its own pace: a fixed wait would report what is still queued as lost.
     */
    public static void awaitStored(MongoCollection<Document> observations, long expected, Duration quiet, Duration atMost)
            throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        long last = -1;
        long lastChange = System.nanoTime();
        while (System.nanoTime() < deadline && System.nanoTime() - lastChange < quiet.toNanos()) {
            long now = observations.countDocuments();
            if (now >= expected) {
                break;
            }
            if (now != last) {
                last = now;
                lastChange = System.nanoTime();
            }
            Thread.sleep(1_000);
        }
        Thread.sleep(2_000);
    }
}
