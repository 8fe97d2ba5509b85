package org.iomtpq.gateway.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** How the load generator spreads devices over threads: one step for all on a pool, or fixed shares per worker. */
final class DevicePool {

    private DevicePool() {
    }

    interface DeviceStep {
        void run(SimulatedDevice d);
    }

    /**
     * Runs the step for every device on a pool of {@code threads}; failures are reported to {@code error} by code.
     * Returns the devices that succeeded, timing each step if {@code timesMs} is given.
     */
    static List<SimulatedDevice> onPool(List<SimulatedDevice> devices, int threads, DeviceStep step, List<Double> timesMs,
                                        Consumer<String> error) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Boolean>> results = new ArrayList<>();
        for (SimulatedDevice d : devices) {
            Callable<Boolean> task = () -> {
                long t0 = System.nanoTime();
                try {
                    step.run(d);
                } catch (GatewayRejection r) {
                    error.accept(r.error().code().name());
                    return false;
                } catch (RuntimeException e) {
                    error.accept(e.getClass().getSimpleName());
                    return false;
                }
                if (timesMs != null) {
                    synchronized (timesMs) {
                        timesMs.add((System.nanoTime() - t0) / 1e6);
                    }
                }
                return true;
            };
            results.add(pool.submit(task));
        }
        List<SimulatedDevice> ok = new ArrayList<>();
        for (int i = 0; i < devices.size(); i++) {
            try {
                if (results.get(i).get()) {
                    ok.add(devices.get(i));
                }
            } catch (java.util.concurrent.ExecutionException e) {
                error.accept(e.getCause().getClass().getSimpleName());
            }
        }
        pool.shutdown();
        return ok;
    }

    /** Round-robin split into at most {@code parts} non-empty lists: each device belongs to exactly one worker. */
    static List<List<SimulatedDevice>> split(List<SimulatedDevice> devices, int parts) {
        List<List<SimulatedDevice>> out = new ArrayList<>();
        for (int p = 0; p < Math.min(parts, devices.size()); p++) {
            final int part = p;
            final int n = Math.min(parts, devices.size());
            Predicate<Integer> mine = i -> i % n == part;
            List<SimulatedDevice> share = new ArrayList<>();
            for (int i = 0; i < devices.size(); i++) {
                if (mine.test(i)) {
                    share.add(devices.get(i));
                }
            }
            out.add(share);
        }
        return out;
    }
}
