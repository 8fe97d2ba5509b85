package org.iomtpq.gateway.observe;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The gateway's metrics, served in Prometheus text on the management port ({@code /observe/metrics}). Labels are
 * transport, message type, protocol error code and outcome only: never a deviceId, sessionId, token or value (no PHI,
 * no secret, and a label set that does not grow with the fleet). README "Health and metrics" says what each means.
 */
public final class GatewayMetrics {

    /** Latency buckets: the p99 goal of 50 ms sits between two of them. */
    private static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    /** Micrometer holds what a gauge or function counter reads only weakly: these keep them alive. */
    private final java.util.List<Object> sources = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * One answered device message. {@code errorCode} null: accepted. {@code elapsedNanos}: from its arrival at the
     * gateway to its answer being ready (for telemetry: stored).
     */
    public void answered(String transport, String type, String errorCode, long elapsedNanos) {
        if (errorCode == null) {
            counter("iomt_messages_accepted", "device messages accepted, by transport and type", transport, type, null)
                    .increment();
        } else {
            counter("iomt_messages_rejected", "device messages answered with a protocol error (PROTOCOL.md §8)",
                    transport, type, errorCode).increment();
        }
        if ("telemetry".equals(type) && errorCode == null) {
            timer("iomt_publish_to_stored", "from a telemetry message's arrival to its storage acknowledged",
                    transport, null).record(elapsedNanos, TimeUnit.NANOSECONDS);
        } else if ("hello".equals(type) || "finished".equals(type)) {
            timer("iomt_handshake_step", "gateway time for one handshake step, hello or finished", transport, type)
                    .record(elapsedNanos, TimeUnit.NANOSECONDS);
            if ("finished".equals(type)) {
                counter("iomt_handshakes", "handshakes completed (finished answered), by outcome", transport, null,
                        errorCode == null ? "established" : "rejected").increment();
            }
        }
    }

    /** A number read at each scrape (a backlog, a lag); {@code NaN} when it cannot be read now. */
    public <T> void gauge(String name, String help, T source, ToDoubleFunction<T> value) {
        sources.add(source);
        Gauge.builder(name, source, value).description(help).register(registry);
    }

    /** A count kept elsewhere that only grows (a writer's batches), read at each scrape. */
    public void count(String name, String help, Supplier<Number> total) {
        sources.add(total);
        FunctionCounter.builder(name, total, t -> t.get().doubleValue()).description(help).register(registry);
    }

    /** The Prometheus text exposition of everything above. */
    public String scrape() {
        return registry.scrape();
    }

    private Counter counter(String name, String help, String transport, String type, String code) {
        String key = name + '|' + transport + '|' + type + '|' + code;
        return counters.computeIfAbsent(key, k -> {
            Counter.Builder b = Counter.builder(name).description(help).tag("transport", transport);
            if (type != null) {
                b.tag("type", type);
            }
            if (code != null) {
                b.tag(name.equals("iomt_handshakes") ? "outcome" : "code", code);
            }
            return b.register(registry);
        });
    }

    private Timer timer(String name, String help, String transport, String step) {
        String key = name + '|' + transport + '|' + step;
        return timers.computeIfAbsent(key, k -> {
            Timer.Builder b = Timer.builder(name).description(help).tag("transport", transport)
                    .serviceLevelObjectives(BUCKETS).minimumExpectedValue(BUCKETS[0])
                    .maximumExpectedValue(BUCKETS[BUCKETS.length - 1]);
            if (step != null) {
                b.tag("step", step);
            }
            return b.register(registry);
        });
    }
}
