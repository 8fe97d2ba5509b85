package org.iomtpq.gateway.service;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

import org.iomtpq.gateway.protocol.SessionState;
import org.iomtpq.gateway.store.SessionRecord;

/**
 * What telemetry needs per message about its session, kept in memory so a message does not cost any read:
 * the session record, its device's status and current keys, and the highest seq stored so far (top of the replay
 * window).
 * <p>
 * Freshness: every change this instance makes to a device's sessions (revocation, rotation, a revocation learnt from
 * the chain) calls {@link #deviceChanged}, which drops the device's entries at once. Changes made by another gateway
 * instance on the same database arrive through {@link DeviceChangeWatch} (the same call, within its poll interval);
 * as a safety net an entry older than {@code recheckMillis} is read again (0 reads on every message). The highest stored seq of a session this instance just authenticated is
 * 0 without asking ({@link #authenticated}); any other is read once (the observation writer keeps it per session,
 * StoredSeqs) and then raised by this instance's own writes. It only ever rises; a stale value only makes the "too
 * old" rule more lenient, never admits a stored seq: the unique {@code (sessionId, seq)} index decides that at the
 * insert.
 */
public final class LiveSessions {

    /** What telemetry needs of a device: revoked (or unknown), and the commitment of the keys in force (null if unknown). */
    public record DeviceView(boolean revoked, String keyCommitment) {
        public static final DeviceView UNKNOWN = new DeviceView(true, null);
    }

    /** A session as last read, with its device as it was at that time. */
    public record Snapshot(SessionRecord session, boolean deviceRevoked, String deviceKeyCommitment) {
        /**
         * The device's keys in force are not the ones the session was built on: a rotation completed since, so the
         * session is over (PROTOCOL.md §5a) even where ending it in the store did not happen (an interrupted
         * rotation, a session stored before sessions were indexed per device).
         */
        public boolean builtOnReplacedKeys() {
            return deviceKeyCommitment != null && !deviceKeyCommitment.equals(session.keyCommitment());
        }
    }

    private static final class Entry {
        final String deviceId;
        final AtomicLong highestStored;
        volatile Snapshot snapshot;
        volatile long readAtMillis;

        Entry(String deviceId, Snapshot snapshot, long readAtMillis, long highestStored) {
            this.deviceId = deviceId;
            this.snapshot = snapshot;
            this.readAtMillis = readAtMillis;
            this.highestStored = new AtomicLong(highestStored);
        }
    }

    private final Function<String, Optional<SessionRecord>> readSession;
    private final Function<String, DeviceView> readDevice;
    private final ToLongFunction<String> readHighestStored;
    /** Sessions this instance authenticated and has not seen telemetry of yet: nothing of them can be stored. */
    private final Map<String, Boolean> fresh;
    private final LongSupplier millis;
    private final long recheckMillis;
    private final Map<String, Entry> entries;
    /** Bumped by every {@link #deviceChanged}: a read that overlapped a change is used once, not cached. */
    private final AtomicLong changes = new AtomicLong();

    /**
     * @param readDevice        the device as stored, {@link DeviceView#UNKNOWN} when there is none
     * @param readHighestStored highest stored seq of a session, 0 if none
     */
    public LiveSessions(Function<String, Optional<SessionRecord>> readSession, Function<String, DeviceView> readDevice,
                        ToLongFunction<String> readHighestStored, LongSupplier millis, long recheckMillis, int maxEntries) {
        this.readSession = readSession;
        this.readDevice = readDevice;
        this.readHighestStored = readHighestStored;
        this.fresh = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > maxEntries;
            }
        };
        this.millis = millis;
        this.recheckMillis = recheckMillis;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > maxEntries;
            }
        };
    }

    /**
     * How many sessions this instance serves telemetry of now: authenticated here or read for telemetry, not expired,
     * not ended, device not revoked (as last read). For the metrics; walks the cache, never the store.
     */
    public synchronized int liveCount(java.time.Instant now) {
        int live = fresh.size();
        for (Entry e : entries.values()) {
            Snapshot s = e.snapshot;
            if (s != null && !s.deviceRevoked() && s.session().state() == org.iomtpq.gateway.protocol.SessionState.AUTHENTICATED
                    && now.isBefore(s.session().expiresAtInstant())) {
                live++;
            }
        }
        return live;
    }

    /** The session and its device's status, read from the store when not known or older than the recheck interval. */
    public Optional<Snapshot> snapshot(String sessionId) {
        Entry e = entry(sessionId);
        long now = millis.getAsLong();
        if (e != null && now - e.readAtMillis < recheckMillis) {
            return Optional.of(e.snapshot);
        }
        long changesBefore = changes.get();
        Optional<SessionRecord> session = readSession.apply(sessionId);
        if (session.isEmpty()) {
            forget(sessionId);
            return Optional.empty();
        }
        DeviceView device = readDevice.apply(session.get().deviceId());
        Snapshot fresh = new Snapshot(session.get(), device.revoked(), device.keyCommitment());
        if (session.get().state() != SessionState.AUTHENTICATED) {
            return Optional.of(fresh); // a handshake in progress changes state soon: never cached
        }
        long highest = e == null ? (wasFresh(sessionId) ? 0 : readHighestStored.applyAsLong(sessionId)) : 0;
        remember(sessionId, e, fresh, now, highest, changesBefore);
        return Optional.of(fresh);
    }

    /**
     * Caches what was read unless a change was announced since the read began; the check and the write happen under
     * the same lock as {@link #deviceChanged}, so a revocation cannot slip between them.
     */
    private synchronized void remember(String sessionId, Entry existing, Snapshot fresh, long now, long highest,
                                       long changesBefore) {
        long readAt = changes.get() == changesBefore ? now : Long.MIN_VALUE / 2; // overlapped: stale at once
        if (existing == null) {
            entries.putIfAbsent(sessionId, new Entry(fresh.session().deviceId(), fresh, readAt, highest));
        } else if (entries.get(sessionId) == existing) {
            existing.snapshot = fresh;
            existing.readAtMillis = readAt;
        }
    }

    /** Highest stored seq of a session whose {@link #snapshot} was taken; 0 if none. */
    public long highestStored(String sessionId) {
        Entry e = entry(sessionId);
        return e == null ? readHighestStored.applyAsLong(sessionId) : e.highestStored.get();
    }

    /** A handshake on this instance just authenticated the session: its replay window is empty, no need to ask. */
    public synchronized void authenticated(String sessionId) {
        fresh.put(sessionId, Boolean.TRUE);
    }

    private synchronized boolean wasFresh(String sessionId) {
        return fresh.remove(sessionId) != null;
    }

    /** After this instance stored {@code seq}. */
    public void stored(String sessionId, long seq) {
        Entry e = entry(sessionId);
        if (e != null) {
            e.highestStored.accumulateAndGet(seq, Math::max);
        }
    }

    public synchronized void forget(String sessionId) {
        entries.remove(sessionId);
    }

    /** The device's sessions or status changed: read them again on their next message. */
    public synchronized void deviceChanged(String deviceId) {
        changes.incrementAndGet();
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            if (it.next().deviceId.equals(deviceId)) {
                it.remove();
            }
        }
    }

    /** Everything may have changed (more changes than the feed of another instance keeps): read it all again. */
    public synchronized void forgetAll() {
        changes.incrementAndGet();
        entries.clear();
    }

    private synchronized Entry entry(String sessionId) {
        return entries.get(sessionId);
    }

}
