package org.iomtpq.gateway.simulator;

import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.iomtpq.gateway.crypto.MlKemPublicKey;
import org.iomtpq.gateway.protocol.TelemetryMessage;
import org.iomtpq.gateway.protocol.TelemetryProtection;

/**
 * The load side of {@code ./iomt bench}, run in its own JVM so that device-side crypto does not share a heap with
 * the gateway: enrolls N devices, runs all handshakes on a small pool, then sends telemetry for a fixed window over
 * HTTP and/or MQTT (QoS 1), optionally paced to a total rate. Prints progress every second and a final table.
 */
public final class LoadGenerator {

    /** What the load runs against. */
    public enum Mode {
        /** the gateway: enroll, handshake, telemetry; MQTT arrivals are observations seen stored in its MongoDB */
        GATEWAY,
        /**
         * the bare-broker ceiling: no gateway; handshakes answered in memory, the same MQTT telemetry publishing,
         * arrivals counted by a subscriber that does nothing else (MQTT only)
         */
        BARE_BROKER,
        /** like GATEWAY, plus a new handshake of every device every minute and a row of figures per minute */
        SOAK
    }

    /**
     * {@code transport}: http, mqtt or both (half the devices each); {@code rate} 0 = as fast as possible;
     * {@code handshakes}: how many handshakes the handshake phase runs in all (at least one per device; devices
     * repeat theirs until the total is reached); {@code unsecured}: send telemetry unencrypted, for a gateway
     * started as the benchmark's unsecured comparison; {@code minutesOut}: SOAK only, where each minute's row is
     * appended as one JSON line as soon as the minute ends.
     */
    public record Plan(String httpBaseUrl, String mqttUrl, String operatorToken, String mongoUri, String database,
                       int devices, int seconds, int rate, String transport, int handshakes, boolean unsecured,
                       Path out, Mode mode, Path minutesOut) {
        public Plan {
            if (devices < 1 || seconds < 1 || rate < 0 || handshakes < 0
                    || !List.of("http", "mqtt", "both").contains(transport)) {
                throw new IllegalArgumentException("need --devices >= 1, --seconds >= 1, --rate >= 0, --handshakes >= 0,"
                        + " --transport http|mqtt|both");
            }
            if (mode != Mode.GATEWAY && !transport.equals("mqtt") || mode == Mode.SOAK && minutesOut == null) {
                throw new IllegalArgumentException("the bare-broker ceiling and the soak run over MQTT only;"
                        + " the soak needs a file for its minutes");
            }
        }
    }

    static final int HANDSHAKE_THREADS = 4;
    static final int HTTP_WORKERS = 8;
    static final int MQTT_WORKERS = 4;
    static final int SAMPLE_EVERY = 50;
    /** MQTT gives no back-pressure (the broker acks at once): never run further ahead of the store than this. */
    static final int MQTT_BACKLOG = 2_000;
    /** How often the stored count is read (a cheap collection count). */
    static final int COUNT_EVERY_MILLIS = 20;
    /** SOAK: every device runs a new handshake at the start of every such period of the telemetry window. */
    static final long SOAK_ROUND_NANOS = 60_000_000_000L;
    private static final String[] TYPES = {"bp-monitor", "pulse-oximeter", "thermometer"};

    private final Plan plan;
    private final PrintStream out;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final LongAdder httpOk = new LongAdder();
    private final AtomicLong mqttPublished = new AtomicLong();
    private final AtomicLong mqttStored = new AtomicLong();
    private final LongAdder mqttHeldBackMillis = new LongAdder();
    private final List<Double> httpLatencies = new ArrayList<>();
    private final LongAdder soakHandshakes = new LongAdder();
    private long handshakeStartMillis;
    private long handshakeEndMillis;
    private String gatewayId;
    private MlKemPublicKey gatewayKey;

    public LoadGenerator(Plan plan, PrintStream out) {
        this.plan = plan;
        this.out = out;
    }

    public LoadReport run() throws Exception {
        if (plan.mode() == Mode.BARE_BROKER) {
            return runAgainstBareBroker();
        }
        OperatorClient operator = new OperatorClient(plan.httpBaseUrl(), plan.operatorToken());
        var record = operator.gatewayRecord();
        gatewayId = record.gatewayId();
        gatewayKey = MlKemPublicKey.fromBytes(record.kemPublicKey());
        int mqttCount = switch (plan.transport()) {
            case "mqtt" -> plan.devices();
            case "both" -> plan.devices() / 2;
            default -> 0;
        };
        String prefix = String.format("BENCH%04X", random.nextInt(0x10000));
        try (HttpDeviceTransport http = new HttpDeviceTransport(plan.httpBaseUrl(), plan.operatorToken());
             MqttDeviceTransport mqtt = new MqttDeviceTransport(plan.mqttUrl());
             StoredProbe probe = new StoredProbe(plan.mongoUri(), plan.database())) {
            List<SimulatedDevice> devices = generate(prefix, mqttCount, mqtt, http);
            out.printf("bench-load: %d devices (%d HTTP, %d MQTT) against %s / %s%n", devices.size(),
                    devices.size() - mqttCount, mqttCount, plan.httpBaseUrl(), plan.mqttUrl());
            List<SimulatedDevice> enrolled = DevicePool.onPool(devices, HANDSHAKE_THREADS, d -> {
                if (d.transport() == mqtt) {
                    operator.approve(d.deviceId(), 600);
                }
                d.enroll();
            }, null, this::error);
            out.printf("  enrolled %d / %d%n", enrolled.size(), devices.size());
            List<Double> handshakeMs = new ArrayList<>();
            handshakeStartMillis = System.currentTimeMillis();
            long hsStart = System.nanoTime();
            List<SimulatedDevice> ready = DevicePool.onPool(enrolled, HANDSHAKE_THREADS,
                    d -> d.handshake(record.gatewayId(), gatewayKey), handshakeMs, this::error);
            long total = ready.size() + repeatHandshakes(ready, record.gatewayId(), gatewayKey, handshakeMs);
            double hsSeconds = (System.nanoTime() - hsStart) / 1e9;
            handshakeEndMillis = System.currentTimeMillis();
            out.printf("  %d handshakes in %.2f s (%.1f/s, end to end, device side included)%n", total, hsSeconds,
                    total / hsSeconds);
            if (plan.unsecured()) {
                ready.forEach(d -> d.session().protectWith(TelemetryProtection.NONE_FOR_BENCHMARK));
            }
            List<SimulatedDevice> httpReady = ready.stream().filter(d -> d.transport() == http).toList();
            List<SimulatedDevice> mqttReady = ready.stream().filter(d -> d.transport() == mqtt).toList();
            return telemetry(httpReady, mqttReady, probe, enrolled.size(), total, hsSeconds, handshakeMs);
        }
    }

    private List<SimulatedDevice> generate(String prefix, int mqttCount, DeviceTransport mqtt, DeviceTransport http) {
        List<SimulatedDevice> devices = new ArrayList<>();
        for (int i = 0; i < plan.devices(); i++) {
            boolean overMqtt = i < mqttCount;
            String id = String.format("%s_%s_%04d", prefix, overMqtt ? "M" : "H", i + 1);
            devices.add(SimulatedDevice.generate(id, TYPES[i % TYPES.length], overMqtt ? mqtt : http, random));
        }
        return devices;
    }

    /**
     * The ceiling: the same devices, sessions and MQTT publishing as against the gateway, but nothing behind the
     * broker except a subscriber that counts. Handshakes are answered locally, so only telemetry crosses the broker.
     */
    private LoadReport runAgainstBareBroker() throws Exception {
        var gatewayKeys = org.iomtpq.gateway.crypto.MlKemKeyPair.generate(random);
        gatewayId = LocalHandshakeTransport.GATEWAY_ID;
        gatewayKey = gatewayKeys.publicKey();
        try (LocalHandshakeTransport local = new LocalHandshakeTransport(new MqttDeviceTransport(plan.mqttUrl()),
                gatewayKeys, random);
             CountingSubscriber subscriber = new CountingSubscriber(plan.mqttUrl())) {
            List<SimulatedDevice> devices = generate(String.format("BARE%04X", random.nextInt(0x10000)), plan.devices(),
                    local, null);
            devices.forEach(local::enroll);
            out.printf("bench-load: %d MQTT devices against the bare broker %s (no gateway; a subscriber only counts)%n",
                    devices.size(), plan.mqttUrl());
            handshakeStartMillis = System.currentTimeMillis();
            List<Double> handshakeMs = new ArrayList<>();
            List<SimulatedDevice> ready = DevicePool.onPool(devices, HANDSHAKE_THREADS,
                    d -> d.handshake(gatewayId, gatewayKey), handshakeMs, this::error);
            handshakeEndMillis = System.currentTimeMillis();
            return telemetry(List.of(), ready, subscriber, devices.size(), ready.size(),
                    (handshakeEndMillis - handshakeStartMillis) / 1000.0, handshakeMs);
        }
    }

    /**
     * The rest of the handshake phase: devices handshake again (each device on one thread only) until
     * {@code plan.handshakes()} are done in all. Returns how many more completed.
     */
    private long repeatHandshakes(List<SimulatedDevice> ready, String gatewayId, MlKemPublicKey gatewayKey,
                                  List<Double> timesMs) throws Exception {
        AtomicLong remaining = new AtomicLong(plan.handshakes() - ready.size());
        LongAdder done = new LongAdder();
        ExecutorService pool = Executors.newFixedThreadPool(HANDSHAKE_THREADS);
        List<Future<?>> running = new ArrayList<>();
        for (List<SimulatedDevice> mine : DevicePool.split(ready, HANDSHAKE_THREADS)) {
            running.add(pool.submit(() -> {
                List<Double> local = new ArrayList<>();
                for (int i = 0; remaining.getAndDecrement() > 0; i++) {
                    SimulatedDevice d = mine.get(i % mine.size());
                    long t0 = System.nanoTime();
                    try {
                        d.handshake(gatewayId, gatewayKey);
                        local.add((System.nanoTime() - t0) / 1e6);
                        done.increment();
                    } catch (GatewayRejection r) {
                        error(r.error().code().name());
                    } catch (RuntimeException e) {
                        error(e.getClass().getSimpleName());
                    }
                }
                synchronized (timesMs) {
                    timesMs.addAll(local);
                }
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        pool.shutdown();
        return done.sum();
    }

    private LoadReport telemetry(List<SimulatedDevice> httpReady, List<SimulatedDevice> mqttReady, Arrivals probe,
                                 long enrolled, long handshakes, double hsSeconds, List<Double> handshakeMs)
            throws Exception {
        int total = httpReady.size() + mqttReady.size();
        Pacer httpPacer = Pacer.forShare(plan.rate(), httpReady.size(), total);
        Pacer mqttPacer = Pacer.forShare(plan.rate(), mqttReady.size(), total);
        long storedBefore = probe.countAll();
        var counter = Executors.newSingleThreadScheduledExecutor();
        counter.scheduleWithFixedDelay(() -> mqttStored.set(storedOverMqtt(probe, storedBefore)), 0,
                COUNT_EVERY_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        out.printf("telemetry for %d s, target %s%n", plan.seconds(), plan.rate() == 0 ? "max" : plan.rate() + " msgs/s");
        long start = System.nanoTime();
        long windowStartMillis = System.currentTimeMillis();
        long end = start + plan.seconds() * 1_000_000_000L;
        ExecutorService workers = Executors.newCachedThreadPool();
        List<Future<?>> running = new ArrayList<>();
        for (List<SimulatedDevice> share : DevicePool.split(httpReady, HTTP_WORKERS)) {
            running.add(workers.submit(() -> sendLoop(share, httpPacer, start, end, null)));
        }
        for (List<SimulatedDevice> share : DevicePool.split(mqttReady, MQTT_WORKERS)) {
            running.add(workers.submit(() -> sendLoop(share, mqttPacer, start, end, probe)));
        }
        long lastDone = 0;
        SoakMinutes minutes = new SoakMinutes(windowStartMillis, 0, 0, 0);
        for (int second = 1; System.nanoTime() < end; second++) {
            // to the next whole second of the window, so that second 60 is a minute of the window, not 60 sleeps
            Thread.sleep(Math.max(0, (Math.min(end, start + second * 1_000_000_000L) - System.nanoTime() + 999_999)
                    / 1_000_000));
            long done = httpOk.sum() + mqttStored.get();
            if (plan.mode() != Mode.SOAK) {
                out.printf("  [%2ds] sent %d (HTTP 201 %d, MQTT published %d), MQTT %s %d, rate %d/s%n", second,
                        httpOk.sum() + mqttPublished.get(), httpOk.sum(), mqttPublished.get(),
                        plan.mode() == Mode.BARE_BROKER ? "delivered to the counter" : "stored", mqttStored.get(),
                        done - lastDone);
            } else if (second % 60 == 0 || System.nanoTime() >= end) {
                writeMinute(minutes.close(System.currentTimeMillis(), mqttPublished.get(), mqttStored.get(),
                        soakHandshakes.sum(), probe.takeRecentLatencies()));
            }
            lastDone = done;
        }
        for (Future<?> f : running) {
            f.get();
        }
        double window = (System.nanoTime() - start) / 1e9;
        long windowEndMillis = System.currentTimeMillis();
        long storedInWindow = storedOverMqtt(probe, storedBefore);
        workers.shutdown();
        counter.shutdownNow();
        long storedAfter = drain(probe, storedBefore);
        for (SimulatedDevice d : mqttReady) {
            for (var e = d.pendingError(java.time.Duration.ofMillis(1)); e.isPresent();
                 e = d.pendingError(java.time.Duration.ofMillis(1))) {
                error(e.get().code().name());
            }
        }
        LatencySummary mqttLatency = probe.finish();
        Map<String, Long> errorCounts = new TreeMap<>();
        errors.forEach((k, v) -> errorCounts.put(k, v.sum()));
        return new LoadReport(httpReady.size(), mqttReady.size(), plan.seconds(), plan.rate(), plan.unsecured(),
                HANDSHAKE_THREADS, enrolled, handshakes, hsSeconds, summary(handshakeMs), httpOk.sum(), window,
                summary(httpLatencies), mqttPublished.get(), storedInWindow, storedAfter, mqttLatency, SAMPLE_EVERY,
                probe.lost(), probe.skipped(), mqttHeldBackMillis.sum() / 1000.0, errorCounts,
                new LoadReport.Phases(handshakeStartMillis, handshakeEndMillis, windowStartMillis, windowEndMillis),
                plan.mode());
    }

    /**
     * Observations stored since the window began that are not HTTP messages already answered 201. While HTTP
     * requests are in flight this over-counts by at most those stored but not yet answered (&lt;= HTTP workers);
     * once the HTTP workers have stopped it is exact.
     */
    private long storedOverMqtt(Arrivals probe, long storedBefore) {
        return probe.countAll() - storedBefore - httpOk.sum();
    }

    /** After the window: up to 10 s for the gateway to store what was published (QoS 1 backlog). */
    private long drain(Arrivals probe, long storedBefore) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        long stored = storedOverMqtt(probe, storedBefore);
        while (stored < mqttPublished.get() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            stored = storedOverMqtt(probe, storedBefore);
        }
        return stored;
    }

    /** SOAK: the minute's row, printed and appended to the minutes file at once (the bench's JVM watches it). */
    private void writeMinute(SoakMinutes.Minute m) {
        out.printf("  [minute %d] published %d, stored %d (%.1f/s), %d handshakes, publish -> stored p50 / p99 %s ms%n",
                m.minute(), m.published(), m.stored(), m.storedPerSecond(), m.handshakes(),
                m.latency().count() == 0 ? "-" : String.format("%.1f / %.1f", m.latency().p50Ms(), m.latency().p99Ms()));
        m.appendJsonLine(plan.minutesOut());
    }

    private void sendLoop(List<SimulatedDevice> mine, Pacer pacer, long start, long end, Arrivals probe) {
        Random values = new Random();
        List<Double> latencies = new ArrayList<>();
        long round = 0;
        for (int i = 0; pacer.await(end); i++) {
            if (probe != null && !belowBacklog(end)) {
                break;
            }
            if (plan.mode() == Mode.SOAK && (System.nanoTime() - start) / SOAK_ROUND_NANOS > round) {
                round = (System.nanoTime() - start) / SOAK_ROUND_NANOS;
                handshakeRound(mine); // the pacer then sends the slots that fell due meanwhile (open loop)
            }
            SimulatedDevice d = mine.get(i % mine.size());
            long t0 = System.nanoTime();
            try {
                TelemetryMessage m = d.send(VitalSigns.sample(d.identity().deviceType(), values));
                if (probe == null) {
                    latencies.add((System.nanoTime() - t0) / 1e6);
                    httpOk.increment();
                } else if (mqttPublished.incrementAndGet() % SAMPLE_EVERY == 0) {
                    probe.sample(m.sessionId(), m.seq(), t0);
                }
            } catch (GatewayRejection r) {
                error(r.error().code().name());
            } catch (RuntimeException e) {
                error(e.getClass().getSimpleName());
            }
        }
        synchronized (httpLatencies) {
            httpLatencies.addAll(latencies);
        }
    }

    /** SOAK: this worker's devices each run a new handshake (only this worker uses them, so none is sending). */
    private void handshakeRound(List<SimulatedDevice> mine) {
        for (SimulatedDevice d : mine) {
            try {
                d.handshake(gatewayId, gatewayKey);
                soakHandshakes.increment();
            } catch (GatewayRejection r) {
                error(r.error().code().name());
            } catch (RuntimeException e) {
                error(e.getClass().getSimpleName());
            }
        }
    }

    /** Waits while {@value #MQTT_BACKLOG} MQTT messages are published but not yet seen stored; false at the end. */
    private boolean belowBacklog(long end) {
        long t0 = System.nanoTime();
        while (mqttPublished.get() - mqttStored.get() > MQTT_BACKLOG) {
            if (System.nanoTime() >= end) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
        }
        mqttHeldBackMillis.add((System.nanoTime() - t0) / 1_000_000);
        return true;
    }

    private void error(String code) {
        errors.computeIfAbsent(code, k -> new LongAdder()).increment();
    }

    private static LatencySummary summary(List<Double> ms) {
        synchronized (ms) {
            return LatencySummary.of(ms.stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

}
