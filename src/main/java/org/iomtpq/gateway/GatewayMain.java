package org.iomtpq.gateway;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.config.StartupException;
import org.iomtpq.gateway.config.StopSignal;
import org.iomtpq.gateway.startup.DevTokens;
import org.iomtpq.gateway.startup.GatewayRuntime;
import org.iomtpq.gateway.startup.StartupFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the gateway until the process is asked to stop. SIGTERM and SIGINT start an orderly stop on the main thread —
 * no new messages, in-flight writes and acks finished, the audit queue written, the lease released — and the process
 * exits 0 (not the JVM's 143), within {@link #STOP_WITHIN_SECONDS}. A start-up failure is one line on stderr.
 */
public final class GatewayMain {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayMain.class);
    /** A supervisor's grace period is commonly 10 s; past this the process halts rather than being killed half-way. */
    static final int STOP_WITHIN_SECONDS = 9;

    private GatewayMain() {
    }

    public static int run() throws InterruptedException {
        return run(System.err);
    }

    static int run(PrintStream err) throws InterruptedException {
        StopSignal stopRequested = StopSignal.install();
        GatewayRuntime runtime;
        try {
            runtime = GatewayRuntime.start(DevTokens.ensure(GatewaySettings.fromEnvironment(Map.of())));
        } catch (StartupException e) {
            err.println("iomt gateway: " + e.getMessage());
            return e.exitCode();
        } catch (RuntimeException e) {
            LOG.debug("start-up failed", e);
            err.println("iomt gateway: cannot start: " + StartupFailures.oneLine(e));
            return 1;
        }
        // Other ways out of the JVM (System.exit elsewhere, SIGHUP): still close in order.
        Runtime.getRuntime().addShutdownHook(new Thread(runtime::close, "gateway-shutdown"));
        stopRequested.await();
        return stop(runtime);
    }

    private static int stop(GatewayRuntime runtime) throws InterruptedException {
        LOG.info("stopping: no new messages; finishing in-flight writes and acks");
        Thread closer = new Thread(runtime::close, "gateway-stop");
        closer.start();
        closer.join(TimeUnit.SECONDS.toMillis(STOP_WITHIN_SECONDS));
        if (closer.isAlive()) {
            LOG.error("stop did not finish within {} s; exiting anyway (unacknowledged messages are redelivered)",
                    STOP_WITHIN_SECONDS);
            return 1;
        }
        LOG.info("stopped");
        return 0;
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(run());
    }
}
