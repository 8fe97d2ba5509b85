package org.iomtpq.gateway.config;

import java.util.concurrent.CountDownLatch;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as a latch the main thread waits on, instead of the JVM's default (shutdown hooks, exit 143): a
 * long-running command then stops in order on its own thread and exits with its own code (0 for a clean stop).
 */
public final class StopSignal {

    private final CountDownLatch requested = new CountDownLatch(1);

    private StopSignal() {
    }

    /** Installs the handlers; call before starting anything, so a signal during start-up is not lost. */
    public static StopSignal install() {
        StopSignal stop = new StopSignal();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> stop.requested.countDown());
            } catch (IllegalArgumentException e) {
                // no such signal on this platform: the JVM's shutdown hooks still run on it
            }
        }
        return stop;
    }

    public void await() throws InterruptedException {
        requested.await();
    }
}
