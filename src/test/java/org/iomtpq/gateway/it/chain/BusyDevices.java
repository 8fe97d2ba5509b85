package org.iomtpq.gateway.it.chain;

import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.iomtpq.gateway.it.GatewayFixture;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.iomtpq.gateway.simulator.VitalSigns;

/**
 * Load beside what a test looks at: each ACTIVE device, on a thread of its own until closed, handshakes and sends a
 * few readings, again and again, so the gateway's store, relay and log consumer are busy while the test runs.
 */
final class BusyDevices implements AutoCloseable {

    private static final int READINGS_PER_SESSION = 10;
    private static final long PAUSE_MS = 20;

    private final ExecutorService threads;
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;

    BusyDevices(GatewayFixture gw, List<SimulatedDevice> devices) {
        threads = Executors.newFixedThreadPool(devices.size());
        devices.forEach(d -> threads.submit(() -> keepBusy(gw, d)));
    }

    private void keepBusy(GatewayFixture gw, SimulatedDevice device) {
        SecureRandom random = new SecureRandom();
        try {
            while (running) {
                device.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
                for (int i = 0; i < READINGS_PER_SESSION && running; i++) {
                    device.send(VitalSigns.sample("pulse-oximeter", random));
                    Thread.sleep(PAUSE_MS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (running) {
                failures.add(device.deviceId() + ": " + e);
            }
        }
    }

    /** Every busy device was served throughout. */
    void assertNoneFailed() {
        if (!failures.isEmpty()) {
            throw new AssertionError("busy devices failed: " + failures);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        threads.shutdown();
        if (!threads.awaitTermination(30, TimeUnit.SECONDS)) {
            threads.shutdownNow();
        }
    }
}
