package org.iomtpq.gateway.service;

import org.iomtpq.gateway.store.DeviceChanges;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this instance's {@link LiveSessions} in step with changes other instances make (PROTOCOL.md §7: a revoked
 * device is refused everywhere at once): this instance's changes are announced in {@link DeviceChanges}, and a timer
 * ({@code iomt.telemetry.device-changes-poll-ms}, routes/cache-watch.camel.yaml) reads the feed and drops the cached
 * sessions of every device changed since. So a change reaches every instance's cache within one poll interval plus
 * a read.
 */
public final class DeviceChangeWatch {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceChangeWatch.class);

    private final DeviceChanges feed;
    private final LiveSessions live;
    private long seen;

    /** Starts from the feed as it is: this instance has cached nothing yet. */
    public DeviceChangeWatch(DeviceChanges feed, LiveSessions live) {
        this.feed = feed;
        this.live = live;
        this.seen = feed.since(0).count();
    }

    /** A change this instance made, after it is stored. A failure is logged: the others then see it at their recheck. */
    public void announce(String deviceId) {
        try {
            feed.announce(deviceId);
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
        seen = since.count();
    }
}
