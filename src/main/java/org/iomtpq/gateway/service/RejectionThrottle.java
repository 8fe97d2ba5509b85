package org.iomtpq.gateway.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.iomtpq.gateway.audit.AuditEvent;
import org.iomtpq.gateway.protocol.Timestamps;

/**
 * PROTOCOL.md §8: "a flood of rejections from one source may be audited as one summarized entry per interval". Per
 * source (event type and device), the first {@code perWindow} rejections of a window are audited one by one; the rest
 * are counted and audited as one summary when the window ends. Every rejection stays accounted for.
 */
final class RejectionThrottle {

    private static final class Window {
        final Instant start;
        final AuditEvent first;
        int seen;

        Window(Instant start, AuditEvent first) {
            this.start = start;
            this.first = first;
        }
    }

    private final Clock clock;
    private final Duration window;
    private final int perWindow;
    private final Map<String, Window> windows = new HashMap<>();

    RejectionThrottle(Clock clock, Duration window, int perWindow) {
        this.clock = clock;
        this.window = window;
        this.perWindow = perWindow;
    }

    /** What to audit now for this rejection: itself, nothing (counted), plus a summary of the source's previous window. */
    synchronized List<AuditEvent> admit(AuditEvent event) {
        Instant now = clock.instant();
        String key = event.eventType() + "|" + event.deviceId();
        List<AuditEvent> out = new ArrayList<>(2);
        Window w = windows.get(key);
        if (w != null && !now.isBefore(w.start.plus(window))) {
            summary(w, now).ifPresent(out::add);
            w = null;
        }
        if (w == null) {
            w = new Window(now, event);
            windows.put(key, w);
        }
        w.seen++;
        if (w.seen <= perWindow) {
            out.add(event);
        }
        return out;
    }

    /** Summaries of the windows that have ended; called periodically. */
    synchronized List<AuditEvent> expired() {
        Instant now = clock.instant();
        List<AuditEvent> out = new ArrayList<>();
        for (Iterator<Window> it = windows.values().iterator(); it.hasNext(); ) {
            Window w = it.next();
            if (!now.isBefore(w.start.plus(window))) {
                summary(w, now).ifPresent(out::add);
                it.remove();
            }
        }
        return out;
    }

    /** Every pending summary (shutdown). */
    synchronized List<AuditEvent> flush() {
        Instant now = clock.instant();
        List<AuditEvent> out = new ArrayList<>();
        windows.values().forEach(w -> summary(w, now).ifPresent(out::add));
        windows.clear();
        return out;
    }

    private java.util.Optional<AuditEvent> summary(Window w, Instant end) {
        int suppressed = w.seen - perWindow;
        if (suppressed <= 0) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(AuditEvent.rejected(w.first.eventType(), w.first.deviceId(),
                suppressed + " more " + w.first.eventType() + " rejection(s) from this source summarized, "
                        + Timestamps.format(w.start) + " to " + Timestamps.format(end)));
    }
}
