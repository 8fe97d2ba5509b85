package org.iomtpq.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.iomtpq.gateway.testsupport.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code ./iomt gateway} as an operator meets it: a second process on a data directory in use waits, then refuses
 * with one line and exit code 2; a misconfiguration is one line naming the setting; SIGTERM stops it with exit 0
 * within 10 s. Never a Java stack trace.
 */
class GatewayStartupIT {

    private Path dataDir;
    private IomtProcess first;
    private IomtProcess second;

    @AfterEach
    void tearDown() throws Exception {
        for (IomtProcess p : new IomtProcess[] {first, second}) {
            if (p != null) {
                p.close();
            }
        }
        TempDirs.deleteQuietly(dataDir);
    }

    private Map<String, String> environment(int httpPort) {
        Map<String, String> env = new HashMap<>();
        env.put("IOMT_DATA_DIR", dataDir.toString());
        env.put("IOMT_HTTP_HOST", "127.0.0.1");
        env.put("IOMT_HTTP_PORT", String.valueOf(httpPort));
        env.put("IOMT_MQTT_URL", "");
        env.put("IOMT_MQTT_PORT", String.valueOf(FreePorts.loopback()));
        env.put("IOMT_MONGO_URI", "");
        env.put("IOMT_REGISTRY_MODE", "none");
        env.put("IOMT_REGISTRY_ADDRESS", "");
        env.put("IOMT_INSTANCE_LEASE_TTL_SECONDS", "3");
        return env;
    }

    @Test
    void aSecondProcessOnTheSameDataDirectoryRefusesWithOneLineAndTheFirstStopsCleanlyOnSigterm() throws Exception {
        dataDir = Files.createTempDirectory("startup-it");
        int port = FreePorts.loopback();
        first = new IomtProcess(environment(port), dataDir, "http://127.0.0.1:" + port + "/api/v1");
        first.start();
        first.awaitServing(Duration.ofSeconds(60));

        Path otherLogs = Files.createDirectories(dataDir.resolve("second"));
        int otherPort = FreePorts.loopback();
        second = new IomtProcess(environment(otherPort), otherLogs, "http://127.0.0.1:" + otherPort + "/api/v1");
        long started = System.nanoTime();
        second.start();
        assertEquals(2, second.awaitExit(Duration.ofSeconds(30)), second.lastLog());
        long waitedMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        String refusal = second.lastLog();
        assertNoStackTrace(refusal);
        assertTrue(refusal.contains("iomt gateway: data directory " + dataDir.toAbsolutePath().normalize()
                + " is in use by another running process (pid "), refusal);
        assertTrue(waitedMillis >= 3_000, "it waited for the holder before refusing: " + waitedMillis + " ms");
        assertTrue(first.answersGatewayRecord(), "the first gateway is unaffected");

        long stopping = System.nanoTime();
        assertEquals(0, first.terminate(Duration.ofSeconds(10)), first.lastLog());
        long stopMillis = Duration.ofNanos(System.nanoTime() - stopping).toMillis();
        assertNoStackTrace(first.lastLog());
        System.out.printf("GatewayStartupIT: second process refused after %d ms (exit 2); SIGTERM stopped the first in %d ms"
                + " (exit 0)%n", waitedMillis, stopMillis);
    }

    @Test
    void misconfigurationIsOneLineNamingTheSetting() throws Exception {
        dataDir = Files.createTempDirectory("startup-it");
        try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String port = String.valueOf(busy.getLocalPort());
            refusedWithOneLine(List.of(
                List.of("IOMT_HTTP_PORT", port, "iomt gateway: cannot listen for HTTP on 127.0.0.1:" + port),
                List.of("IOMT_MQTT_PORT", port, "iomt gateway: cannot listen for MQTT (the embedded broker) on 127.0.0.1:" + port),
                List.of("IOMT_MANAGEMENT_PORT", port,
                        "iomt gateway: cannot listen for health and metrics (the management port) on 127.0.0.1:" + port)));
        }
        refusedWithOneLine(List.of(
                List.of("IOMT_HTTP_PORT", "eighty", "iomt gateway: iomt.http.port (IOMT_HTTP_PORT) must be a whole number"),
                List.of("IOMT_MQTT_SHARED_GROUP", "ward/4b",
                        "iomt gateway: iomt.mqtt.shared-group (IOMT_MQTT_SHARED_GROUP) must be a share name without '/'"),
                List.of("IOMT_MQTT_URL", "tcp://127.0.0.1:1", "iomt gateway: cannot connect to the MQTT broker at tcp://127.0.0.1:1"),
                List.of("IOMT_MONGO_URI", "mongodb://127.0.0.1:1", "iomt gateway: cannot reach MongoDB at mongodb://127.0.0.1:1"),
                List.of("IOMT_FHIR_BASE_URL", "fhir.hospital.example",
                        "iomt gateway: IOMT_FHIR_BASE_URL (iomt.fhir.base-url) must be the FHIR server's base URL")));
    }

    /** Each case: variable, value, the start of the one line expected; exit code 2, no stack trace. */
    private void refusedWithOneLine(List<List<String>> cases) throws Exception {
        for (List<String> c : cases) {
            Map<String, String> env = environment(FreePorts.loopback());
            env.put(c.get(0), c.get(1));
            IomtProcess p = new IomtProcess(env, Files.createDirectories(dataDir.resolve(c.get(0) + "-" + c.get(1).hashCode())),
                    "http://unused");
            p.start();
            int exit = p.awaitExit(Duration.ofSeconds(60));
            String log = p.lastLog();
            p.close();
            assertEquals(2, exit, c.get(0) + ": " + log);
            assertTrue(log.contains(c.get(2)), c.get(0) + ": " + log);
            assertNoStackTrace(log);
        }
    }

    private static void assertNoStackTrace(String output) {
        assertFalse(output.contains("\tat ") || output.contains("Exception in thread"), "a Java stack trace: " + output);
    }
}
