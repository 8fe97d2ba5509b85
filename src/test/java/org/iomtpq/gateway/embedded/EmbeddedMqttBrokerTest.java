package org.iomtpq.gateway.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.iomtpq.gateway.embedded.EmbeddedMqttBroker.Persistence;
import org.iomtpq.gateway.testsupport.Mqtt311Client;
import org.iomtpq.gateway.testsupport.PahoV5Client;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedMqttBrokerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dataDir;

    @Test
    void mqtt5ClientsExchangeQos1MessagesAndPortZeroIsResolved() throws Exception {
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.start(dataDir, "127.0.0.1", 0, Persistence.IN_MEMORY)) {
            assertTrue(broker.port() > 0);
            assertEquals("tcp://127.0.0.1:" + broker.port(), broker.url());
            try (PahoV5Client gateway = PahoV5Client.connect(broker.url(), "gateway-1");
                 PahoV5Client device = PahoV5Client.connect(broker.url(), "BP_MONITOR_001")) {
                assertEquals(1, gateway.subscribe("iomt/v1/+/up/#", 1));

                assertEquals(0, device.publishQos1("iomt/v1/BP_MONITOR_001/up/hello", bytes("{\"type\":\"hello\"}"), false));

                PahoV5Client.Message received = gateway.receive(WAIT).orElseThrow();
                assertEquals("iomt/v1/BP_MONITOR_001/up/hello", received.topic());
                assertEquals("{\"type\":\"hello\"}", received.text());
                assertEquals(1, received.qos());
            }
        }
    }

    @Test
    void mqtt311AndMqtt5ClientsTalkToEachOther() throws Exception {
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.start(dataDir, "127.0.0.1", 0, Persistence.IN_MEMORY);
             PahoV5Client gateway = PahoV5Client.connect(broker.url(), "gateway-1");
             Mqtt311Client device = Mqtt311Client.connect("127.0.0.1", broker.port(), "PULSE_OX_007", null, null, true)) {
            assertEquals(1, gateway.subscribe("iomt/v1/+/up/#", 1));
            assertEquals(1, device.subscribe("iomt/v1/PULSE_OX_007/down", 1));

            device.publishQos1("iomt/v1/PULSE_OX_007/up/telemetry", bytes("up"), false);
            assertEquals("up", gateway.receive(WAIT).orElseThrow().text());

            gateway.publishQos1("iomt/v1/PULSE_OX_007/down", bytes("down"), false);
            Mqtt311Client.Message down = device.receive(WAIT).orElseThrow();
            assertEquals("iomt/v1/PULSE_OX_007/down", down.topic());
            assertEquals("down", down.text());
            assertEquals(1, down.qos());
        }
    }

    @Test
    void queuedQos1MessageForAnOfflinePersistentSessionSurvivesABrokerRestart() throws Exception {
        int port;
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.start(dataDir, "127.0.0.1", 0)) {
            port = broker.port();
            // The gateway's durable subscription, then it goes offline.
            try (PahoV5Client gateway = PahoV5Client.connect(broker.url(), "gateway-1", null, null, false, 3600)) {
                assertEquals(1, gateway.subscribe("iomt/v1/+/up/#", 1));
            }
            try (PahoV5Client device = PahoV5Client.connect(broker.url(), "THERMO_042")) {
                device.publishQos1("iomt/v1/THERMO_042/up/telemetry", bytes("kept"), false);
            }
        }
        try (EmbeddedMqttBroker restarted = EmbeddedMqttBroker.start(dataDir, "127.0.0.1", port);
             PahoV5Client gateway = PahoV5Client.connect(restarted.url(), "gateway-1", null, null, false, 3600)) {
            PahoV5Client.Message received = gateway.receive(WAIT).orElseThrow(
                    () -> new AssertionError("queued QoS 1 message lost across the restart"));
            assertEquals("kept", received.text());
        }
    }

    /**
     * HiveMQ's default queue per client is 1,000 messages, and beyond it new messages are dropped although the device
     * already had its PUBACK. The load harness lost vitals that way when the gateway fell behind; the embedded broker
     * now keeps far more. 1,500 is enough to fail with the default.
     */
    @Test
    void moreThanAThousandMessagesQueuedForAnOfflineGatewayAreAllDelivered() throws Exception {
        int count = 1_500;
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.start(dataDir, "127.0.0.1", 0)) {
            try (PahoV5Client gateway = PahoV5Client.connect(broker.url(), "gateway-1", null, null, false, 3600)) {
                assertEquals(1, gateway.subscribe("iomt/v1/+/up/#", 1));
            }
            try (PahoV5Client device = PahoV5Client.connect(broker.url(), "THERMO_042")) {
                for (int i = 0; i < count; i++) {
                    device.publishQos1("iomt/v1/THERMO_042/up/telemetry", bytes("m" + i), false);
                }
            }
            java.util.Set<String> received = new java.util.HashSet<>();
            try (PahoV5Client gateway = PahoV5Client.connect(broker.url(), "gateway-1", null, null, false, 3600)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos(); // no gap rule: a busy CI may pause
                while (received.size() < count && System.nanoTime() < deadline) {
                    gateway.receive(Duration.ofSeconds(1)).ifPresent(m -> received.add(m.text()));
                }
            }
            assertEquals(count, received.size(), "messages queued for the offline gateway were dropped");
        }
    }

    @Test
    void failedStartThrowsPromptlyAndGivesBackTheUncaughtExceptionHandler() throws Exception {
        Thread.UncaughtExceptionHandler before = (thread, error) -> { };
        Thread.UncaughtExceptionHandler saved = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler(before);
        try (ServerSocket occupied = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            EmbeddedStartException failure = assertThrows(EmbeddedStartException.class,
                    () -> EmbeddedMqttBroker.start(dataDir, "127.0.0.1", occupied.getLocalPort()));
            assertTrue(failure.getMessage().contains(String.valueOf(occupied.getLocalPort())), failure.getMessage());
            assertSame(before, Thread.getDefaultUncaughtExceptionHandler());
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(saved);
        }
        // The failed instance released its data-folder lock: the same folder starts fine afterwards.
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.start(dataDir, "127.0.0.1", 0)) {
            assertTrue(Files.isRegularFile(dataDir.resolve("hivemq/conf/config.xml")));
        }
    }

    @Test
    void closeIsIdempotent() {
        EmbeddedMqttBroker broker = EmbeddedMqttBroker.start(dataDir, "127.0.0.1", 0, Persistence.IN_MEMORY);
        broker.close();
        broker.close();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
