package org.iomtpq.gateway.simulator;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Hands out send slots at a fixed total rate to any number of workers (open loop: a worker that fell behind sends
 * its overdue slots at once rather than lowering the rate). Rate 0: no pacing, workers send as fast as they can.
 */
final class Pacer {

    private final long intervalNanos;
    private final AtomicLong nextSlot = new AtomicLong(System.nanoTime());

    private Pacer(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    /** This transport's share of the total rate, by its share of the devices. */
    static Pacer forShare(int totalRate, int devices, int allDevices) {
        if (totalRate == 0 || devices == 0) {
            return new Pacer(0);
        }
        double rate = Math.max(1.0, totalRate * (double) devices / allDevices);
        return new Pacer((long) (1e9 / rate));
    }

    /** Waits for the next slot; false once the slot would be at or after {@code endNanos}. */
    boolean await(long endNanos) {
        if (intervalNanos == 0) {
            return System.nanoTime() < endNanos;
        }
        long slot = nextSlot.getAndAdd(intervalNanos);
        if (slot >= endNanos) {
            return false;
        }
        for (long wait; (wait = slot - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(wait);
        }
        return true;
    }
}
