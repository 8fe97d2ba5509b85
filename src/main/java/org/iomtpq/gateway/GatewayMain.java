package org.iomtpq.gateway;

import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.config.StartupException;

/** Runs the gateway until the process is asked to stop (Ctrl-C, SIGTERM). */
public final class GatewayMain {

    private GatewayMain() {
    }

    public static int run() throws InterruptedException {
        GatewaySettings settings = DevTokens.ensure(GatewaySettings.fromEnvironment(Map.of()));
        GatewayRuntime runtime;
        try {
            runtime = GatewayRuntime.start(settings);
        } catch (StartupException e) { // the operator's one line, without a stack trace
            System.err.println("iomt gateway: " + e.getMessage());
            return e.exitCode();
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runtime.close();
            stopped.countDown();
        }, "gateway-shutdown"));
        stopped.await();
        return 0;
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(run());
    }
}
