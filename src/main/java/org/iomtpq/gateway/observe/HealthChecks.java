package org.iomtpq.gateway.observe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Readiness: each part the gateway needs (MongoDB, the broker, the chain in chain mode, the FHIR server when one is
 * configured) is asked, all at once and each within {@link #TIMEOUT}, and the answer is kept for {@link #KEEP} so that
 * a scraping dashboard cannot load the parts. A part that does not answer in time counts as down.
 */
public final class HealthChecks implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(2);
    static final Duration KEEP = Duration.ofSeconds(2);

    /** Each part and whether it is up. */
    public record Report(Map<String, Boolean> parts) {
        public boolean ready() {
            return parts.values().stream().allMatch(Boolean::booleanValue);
        }

        public List<String> down() {
            List<String> out = new ArrayList<>();
            parts.forEach((name, up) -> {
                if (!up) {
                    out.add(name);
                }
            });
            return out;
        }
    }

    private final Map<String, BooleanSupplier> checks = new LinkedHashMap<>();
    private final Clock clock;
    private final ExecutorService askers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "health-check");
        t.setDaemon(true);
        return t;
    });
    private Report last;
    private Instant lastAt = Instant.MIN;

    public HealthChecks(Clock clock) {
        this.clock = clock;
    }

    /** Adds a part; {@code up} may block (it is asked on a thread of its own and given up on after the timeout). */
    public synchronized HealthChecks add(String part, BooleanSupplier up) {
        checks.put(part, up);
        return this;
    }

    public synchronized Report check() {
        Instant now = clock.instant();
        if (last != null && now.isBefore(lastAt.plus(KEEP))) {
            return last;
        }
        Map<String, CompletableFuture<Boolean>> asked = new LinkedHashMap<>();
        checks.forEach((part, up) -> asked.put(part, CompletableFuture.supplyAsync(() -> safely(up), askers)));
        Map<String, Boolean> parts = new LinkedHashMap<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        asked.forEach((part, answer) -> {
            try {
                parts.put(part, answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (Exception e) {
                answer.cancel(true);
                parts.put(part, false);
            }
        });
        last = new Report(java.util.Collections.unmodifiableMap(parts));
        lastAt = now;
        return last;
    }

    private static boolean safely(BooleanSupplier up) {
        try {
            return up.getAsBoolean();
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        askers.shutdownNow();
    }
}
