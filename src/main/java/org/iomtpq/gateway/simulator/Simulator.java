package org.iomtpq.gateway.simulator;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import org.iomtpq.gateway.crypto.MlKemPublicKey;

/**
 * Runs N simulated devices (bp-monitor, pulse-oximeter, thermometer in turn) against a running gateway: enroll
 * (over MQTT after an operator approval), handshake, then readings. Prints progress and a summary.
 */
public final class Simulator {

    /** What to run. {@code transport}: http, mqtt or mixed (alternating). */
    public record Plan(int devices, String transport, int messagesPerDevice, long intervalMillis, String httpBaseUrl,
                       String mqttUrl, String operatorToken, String idPrefix) {
    }

    /** Counts for the summary. */
    public static final class Tally {
        final AtomicLong enrolled = new AtomicLong();
        final AtomicLong established = new AtomicLong();
        final AtomicLong sent = new AtomicLong();
        final AtomicLong accepted = new AtomicLong();
        final Map<String, Long> rejections = new TreeMap<>();
        final List<String> failures = new ArrayList<>();

        synchronized void rejected(String code) {
            rejections.merge(code, 1L, Long::sum);
        }

        synchronized void failed(String what) {
            failures.add(what);
        }

        public long accepted() {
            return accepted.get();
        }

        public synchronized Map<String, Long> rejections() {
            return Map.copyOf(rejections);
        }

        public synchronized List<String> failures() {
            return List.copyOf(failures);
        }
    }

    private static final String[] TYPES = {"bp-monitor", "pulse-oximeter", "thermometer"};

    private final Plan plan;
    private final PrintStream out;
    private final SecureRandom random = new SecureRandom();

    public Simulator(Plan plan, PrintStream out) {
        this.plan = plan;
        this.out = out;
    }

    public Tally run() throws InterruptedException {
        OperatorClient operator = new OperatorClient(plan.httpBaseUrl(), plan.operatorToken());
        var record = operator.gatewayRecord();
        MlKemPublicKey gatewayKey = MlKemPublicKey.fromBytes(record.kemPublicKey());
        out.printf("Gateway %s, key hash %s (pinned for this run)%n", record.gatewayId(), record.kemKeyHash());
        Tally tally = new Tally();
        long started = System.nanoTime();
        try (HttpDeviceTransport http = new HttpDeviceTransport(plan.httpBaseUrl(), plan.operatorToken());
             MqttDeviceTransport mqtt = new MqttDeviceTransport(plan.mqttUrl())) {
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(plan.devices(), 8));
            List<Future<?>> running = new ArrayList<>();
            for (int i = 1; i <= plan.devices(); i++) {
                String type = TYPES[(i - 1) % TYPES.length];
                String id = String.format("%s_%s_%03d", plan.idPrefix(), type.replace('-', '_').toUpperCase(), i);
                DeviceTransport transport = switch (plan.transport()) {
                    case "http" -> http;
                    case "mqtt" -> mqtt;
                    default -> i % 2 == 1 ? http : mqtt;
                };
                running.add(pool.submit(() -> runDevice(SimulatedDevice.generate(id, type, transport, random),
                        operator, record.gatewayId(), gatewayKey, tally)));
            }
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    tally.failed(e.getCause().toString());
                }
            }
            pool.shutdown();
        }
        printSummary(tally, Duration.ofNanos(System.nanoTime() - started));
        return tally;
    }

    private void runDevice(SimulatedDevice device, OperatorClient operator, String gatewayId, MlKemPublicKey gatewayKey,
                           Tally tally) {
        String id = device.deviceId();
        try {
            if (device.transport() instanceof MqttDeviceTransport) {
                operator.approve(id, 600);
            }
            var enrolled = device.enroll();
            tally.enrolled.incrementAndGet();
            out.printf("  %-32s enrolled over %-4s -> %s%n", id, device.transport().name(), enrolled.status());
            device.handshake(gatewayId, gatewayKey);
            tally.established.incrementAndGet();
            out.printf("  %-32s handshake complete (ML-KEM-768 mutual)%n", id);
            Random values = new Random();
            for (int n = 0; n < plan.messagesPerDevice(); n++) {
                tally.sent.incrementAndGet();
                try {
                    device.send(VitalSigns.sample(device.identity().deviceType(), values));
                    tally.accepted.incrementAndGet();
                } catch (GatewayRejection r) {
                    tally.rejected(r.error().code().name());
                }
                if (plan.intervalMillis() > 0) {
                    Thread.sleep(plan.intervalMillis());
                }
            }
            // Over MQTT only errors come back, asynchronously: collect them before counting.
            for (var e = device.pendingError(Duration.ofMillis(500)); e.isPresent(); e = device.pendingError(Duration.ofMillis(200))) {
                tally.accepted.decrementAndGet();
                tally.rejected(e.get().code().name());
            }
            out.printf("  %-32s sent %d reading(s)%n", id, plan.messagesPerDevice());
        } catch (GatewayRejection r) {
            tally.rejected(r.error().code().name());
            out.printf("  %-32s REJECTED %s%n", id, r.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            tally.failed(id + ": " + e.getMessage());
            out.printf("  %-32s FAILED %s%n", id, e.getMessage());
        }
    }

    private void printSummary(Tally tally, Duration elapsed) {
        out.println();
        out.println("Simulation summary");
        out.printf("  devices enrolled      %d / %d%n", tally.enrolled.get(), plan.devices());
        out.printf("  handshakes complete   %d%n", tally.established.get());
        out.printf("  readings sent         %d%n", tally.sent.get());
        out.printf("  readings without error %d%n", tally.accepted.get());
        out.printf("  rejections            %s%n", tally.rejections().isEmpty() ? "none" : tally.rejections());
        out.printf("  failures              %s%n", tally.failures().isEmpty() ? "none" : tally.failures());
        out.printf("  elapsed               %.1f s%n", elapsed.toMillis() / 1000.0);
    }

}
