package org.iomtpq.gateway.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Checks, before anything starts, that a port the gateway will listen on can be bound. Camel and HiveMQ report a busy
 * port with a stack trace in their own logs; this turns the common mistake into one line naming the setting.
 */
public final class ListenPorts {

    private ListenPorts() {
    }

    /** A process that has just stopped (a supervisor's quick restart) may take a moment to release its port. */
    private static final long RELEASE_WAIT_MILLIS = 5_000;

    /** @param what e.g. "HTTP"; @param settings the variables to change, e.g. "IOMT_HTTP_PORT / IOMT_HTTP_HOST" */
    public static void requireFree(String what, String host, int port, String settings) {
        long giveUpAt = System.currentTimeMillis() + RELEASE_WAIT_MILLIS;
        while (true) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true); // as the servers themselves bind: a socket in TIME_WAIT does not count
                socket.bind(new InetSocketAddress(host, port));
                return;
            } catch (IOException e) {
                if (System.currentTimeMillis() >= giveUpAt) {
                    throw new StartupException("cannot listen for " + what + " on " + host + ":" + port + " ("
                            + e.getMessage() + "): stop what uses that port, or set " + settings);
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StartupException("interrupted while waiting for " + host + ":" + port + " to be free");
            }
        }
    }
}
