package org.iomtpq.gateway.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

import org.iomtpq.gateway.config.EphemeralGateway;

/** Free loopback ports for test servers, and a wait until a server accepts connections. */
public final class FreePorts {

    private FreePorts() {
    }

    /**
     * A port that was free on 127.0.0.1 a moment ago. Another process may take it before the caller
     * binds it; tests accept that small race instead of passing port 0 to servers that can't report it.
     */
    public static int loopback() {
        return EphemeralGateway.freeLoopbackPort();
    }

    /** True once something accepts TCP connections on 127.0.0.1:port, false when the timeout passes. */
    public static boolean awaitListening(int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (isListening(port)) {
                return true;
            }
            Thread.sleep(50);
        }
        return isListening(port);
    }

    public static boolean isListening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
