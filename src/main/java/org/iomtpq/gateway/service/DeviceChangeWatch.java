package org.iomtpq.gateway.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.iomtpq.gateway.store.DeviceChanges;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this instance's {@link LiveSessions} in step with changes other instances make (PROTOCOL.md §7: a revoked
 * device is refused everywhere at once): this instance's changes are announced in {@link DeviceChanges}, and a timer
 * ({@code iomt.telemetry.device-changes-poll-ms}, routes/cache-watch.camel.yaml) reads the feed and drops the cached
 * sessions of every device changed since. So a change reaches every instance's cache within one poll interval plus
 * a read.
 * <p>
 * Each instance also records how far it has applied the feed (and, every {@link #HEARTBEAT}, that it is alive), so
 * an operator's revocation can wait until every live instance has dropped the device before it is answered
 * ({@link #awaitOthers}): "revoked" then means refused everywhere, not "refused everywhere within a second".
 */
public final class DeviceChangeWatch {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceChangeWatch.class);

    /** How often a reader says it is alive even when nothing changed; three missed ones and it counts as gone. */
    static final Duration HEARTBEAT = Duration.ofSeconds(10);

    private final DeviceChanges feed;
    private final LiveSessions live;
    private final String reader;
    private final Clock clock;
    private final AtomicLong announced = new AtomicLong();
    private long seen;
    private Instant markedAt = Instant.MIN;

    /**
     * Starts from the feed as it is: this instance has cached nothing yet.
     *
     * @param reader this instance's name among the readers (its audit stream, unique per live instance)
     */
    public DeviceChangeWatch(DeviceChanges feed, LiveSessions live, String reader, Clock clock) {
        this.feed = feed;
        this.live = live;
        this.reader = reader;
        this.clock = clock;
        this.seen = feed.since(0).count();
        mark();
    }

    /** A change this instance made, after it is stored. A failure is logged: the others then see it at their recheck. */
    public void announce(String deviceId) {
        try {
            announced.accumulateAndGet(feed.announce(deviceId), Math::max);
        } catch (RuntimeException e) {
            LOG.warn("announcing a change of {} to the other instances failed ({}); they see it within"
                    + " iomt.telemetry.session-recheck-ms", deviceId, e.toString());
        }
    }

    /** The timer: what changed since the last poll is read again on its next message. */
    public synchronized void poll() {
        DeviceChanges.Since since = feed.since(seen);
        if (!since.complete()) {
            live.forgetAll();
        }
        since.devices().forEach(live::deviceChanged);
        boolean advanced = since.count() != seen;
        seen = since.count();
        if (advanced || !clock.instant().isBefore(markedAt.plus(HEARTBEAT))) {
            mark();
        }
    }

    /**
     * Waits until every other live instance has applied what this one announced, at most {@code limit}; returns the
     * instances that had not (logged: they refuse the device at their next poll or recheck at the latest).
     */
    public List<String> awaitOthers(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        long count = announced.get();
        while (true) {
            List<String> behind = feed.behind(count, clock.instant().minus(HEARTBEAT.multipliedBy(3)), reader);
            if (behind.isEmpty()) {
                return behind;
            }
            if (System.nanoTime() >= deadline) {
                LOG.warn("{} instance(s) had not applied change {} after {} ms: {} (they apply it at their next poll;"
                        + " an instance that died meanwhile counts as gone after {} s)", behind.size(), count,
                        limit.toMillis(), behind, HEARTBEAT.multipliedBy(3).toSeconds());
                return behind;
            }
            Thread.sleep(25);
        }
    }

    /**
     * A clean stop: this instance no longer caches anything, so a revocation elsewhere need not wait for it. (A
     * crashed one is skipped once its last mark is older than three heartbeats.) A failure only costs that wait.
     */
    public void leave() {
        try {
            feed.forget(reader);
        } catch (RuntimeException e) {
            LOG.warn("removing this instance from the device-changes readers failed ({}); a revocation elsewhere"
                    + " waits for it until {} s after its last mark", e.toString(), HEARTBEAT.multipliedBy(3).toSeconds());
        }
    }

    private void mark() {
        try {
            feed.markSeen(reader, seen, clock.instant());
            markedAt = clock.instant();
        } catch (RuntimeException e) {
            LOG.warn("recording how far this instance applied the device-changes feed failed: {}", e.toString());
        }
    }
}
