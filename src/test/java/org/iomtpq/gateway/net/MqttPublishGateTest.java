package org.iomtpq.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.iomtpq.gateway.embedded.EmbeddedMqttBroker;
import org.iomtpq.gateway.embedded.EmbeddedMqttBroker.Persistence;
import org.iomtpq.gateway.testsupport.PahoV5Client;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MqttPublishGateTest {

    @TempDir
    Path dataDir;

    /** A client that seems connected, whose in-flight count and pending tokens the test sets. */
    private static final class CountingClient extends MqttAsyncClient {
        volatile int inFlight;
        volatile int pendingTokens;
        volatile boolean connected = true;
        final AtomicInteger published = new AtomicInteger();

        CountingClient() throws MqttException {
            super("tcp://127.0.0.1:1", "counting", new MemoryPersistence());
        }

        @Override
        public int getInFlightMessageCount() {
            return inFlight;
        }

        @Override
        public IMqttToken[] getPendingTokens() {
            return new IMqttToken[pendingTokens];
        }

        @Override
        public boolean isConnected() {
            return connected;
        }
    }

    private static MqttException busy() {
        return new MqttException(MqttClientException.REASON_CODE_MAX_INFLIGHT);
    }

    @Test
    void aPublishWaitsForRoomUnderTheBrokersReceiveMaximum() throws Exception {
        CountingClient client = new CountingClient();
        MqttPublishGate gate = new MqttPublishGate(client);
        gate.brokerReceiveMaximum(10);
        client.inFlight = 10;
        Thread freesOne = new Thread(() -> {
            sleep(100);
            client.inFlight = 9;
        });
        freesOne.start();
        List<Integer> inFlightWhenHandedOver = new ArrayList<>();
        gate.publish(() -> {
            inFlightWhenHandedOver.add(client.inFlight);
            return null;
        });
        freesOne.join();
        assertEquals(List.of(9), inFlightWhenHandedOver, "handed over once, and only once there was room");
    }

    @Test
    void queuedPublishesCountAsTheyWillBeInFlightSoon() throws Exception {
        CountingClient client = new CountingClient();
        MqttPublishGate gate = new MqttPublishGate(client, Duration.ofMillis(50));
        gate.brokerReceiveMaximum(10);
        client.inFlight = 4;
        client.pendingTokens = 6; // queued or unacknowledged: Paho's sender may count them in any moment
        assertThrows(MqttException.class, () -> gate.publish(() -> {
            client.published.incrementAndGet();
            return null;
        }));
        assertEquals(0, client.published.get());
        client.pendingTokens = 5;
        gate.publish(() -> {
            client.published.incrementAndGet();
            return null;
        });
        assertEquals(1, client.published.get());
    }

    @Test
    void aClientThatIsNotConnectedIsNotWaitedFor() throws Exception {
        CountingClient client = new CountingClient();
        client.inFlight = 65_535; // Paho keeps its count until the next CONNACK
        client.connected = false;
        MqttPublishGate gate = new MqttPublishGate(client);
        MqttException notConnected = assertThrows(MqttException.class, () -> gate.publish(() -> {
            throw new MqttException(MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED);
        }));
        assertEquals(MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED, notConnected.getReasonCode());
    }

    @Test
    void aRefusalAnywayLowersTheMaximumTheGateAssumes() throws Exception {
        CountingClient client = new CountingClient();
        MqttPublishGate gate = new MqttPublishGate(client);
        gate.brokerReceiveMaximum(10);
        client.inFlight = 3; // the broker granted only 3 after a reconnect, which Paho does not tell
        AtomicInteger attempts = new AtomicInteger();
        gate.publish(() -> {
            if (attempts.incrementAndGet() == 1) {
                new Thread(() -> {
                    sleep(50);
                    client.inFlight = 2; // an acknowledgement arrives
                }).start();
                throw busy();
            }
            return null;
        });
        assertEquals(2, attempts.get(), "sent again once there was room under the lowered maximum");
        assertEquals(3, gate.receiveMaximum(), "no more than Paho had in flight when it refused");
    }

    @Test
    void aRefusalAnywayIsWaitedOutAndAnyOtherErrorIsThrownAtOnce() throws Exception {
        CountingClient client = new CountingClient();
        MqttPublishGate gate = new MqttPublishGate(client);
        AtomicInteger attempts = new AtomicInteger();
        Thread acksArrive = new Thread(() -> {
            sleep(50);
            client.inFlight = 0; // the refusal taught the gate a maximum of 1: room again once nothing is in flight
        });
        client.inFlight = 1;
        acksArrive.start();
        gate.publish(() -> {
            if (attempts.incrementAndGet() < 3) {
                throw busy();
            }
            return null;
        });
        acksArrive.join();
        assertEquals(3, attempts.get());

        attempts.set(0);
        MqttException notConnected = assertThrows(MqttException.class, () -> gate.publish(() -> {
            attempts.incrementAndGet();
            throw new MqttException(MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED);
        }));
        assertEquals(MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED, notConnected.getReasonCode());
        assertEquals(1, attempts.get());
    }

    @Test
    void aClientThatStaysFullFailsAsBusyAfterTheLimit() throws Exception {
        CountingClient client = new CountingClient();
        client.inFlight = 65_535;
        MqttPublishGate gate = new MqttPublishGate(client, Duration.ofMillis(50));
        MqttException busy = assertThrows(MqttException.class, () -> gate.publish(() -> {
            client.published.incrementAndGet();
            return null;
        }));
        assertEquals(MqttClientException.REASON_CODE_MAX_INFLIGHT, busy.getReasonCode());
        assertEquals(0, client.published.get(), "never handed to Paho");
    }

    @Test
    void anInterruptedCallerIsNotKeptWaiting() throws Exception {
        CountingClient client = new CountingClient();
        client.inFlight = 65_535;
        MqttPublishGate gate = new MqttPublishGate(client);
        Thread.currentThread().interrupt();
        try {
            assertThrows(MqttException.class, () -> gate.publish(() -> {
                client.published.incrementAndGet();
                return null;
            }));
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
        } finally {
            Thread.interrupted();
        }
        assertEquals(0, client.published.get());
    }

    /**
     * Against the real broker and Paho: 1,000 QoS 1 publishes handed over back to back without waiting for their
     * acknowledgements, far beyond the Receive Maximum HiveMQ grants (10), over 20 topics (more than the 5 topic
     * aliases it offers). Without the gate Paho refuses the 11th. With it none is refused, the connection stays up (a
     * refused publish would have left a stale topic alias behind), and each message arrives exactly once.
     */
    @Test
    void theGatedClientLearnsTheBrokersReceiveMaximum() throws Exception {
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.start(dataDir, "127.0.0.1", 0, Persistence.IN_MEMORY)) {
            GatedMqttClient client = GatedMqttClient.open(broker.url(), "THERMO_042", new MqttConnectionOptions());
            try {
                assertEquals(10, client.brokerReceiveMaximum(), "HiveMQ's default");
                client.publish("iomt/v1/THERMO_042/up/telemetry", new MqttMessage(new byte[] {1}, 1, false, new MqttProperties()));
            } finally {
                client.disconnect();
                client.close();
            }
        }
    }

    @Test
    void aBurstFarBeyondTheReceiveMaximumArrivesWholeAndOnce() throws Exception {
        int count = 1_000;
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.start(dataDir, "127.0.0.1", 0, Persistence.IN_MEMORY);
             PahoV5Client gateway = PahoV5Client.connect(broker.url(), "gateway-1")) {
            assertEquals(1, gateway.subscribe("iomt/v1/+/up/#", 1));
            MqttAsyncClient device = new MqttAsyncClient(broker.url(), "PULSE_OX_007", new MemoryPersistence());
            IMqttToken connected = device.connect(new MqttConnectionOptions());
            connected.waitForCompletion(10_000);
            MqttPublishGate gate = new MqttPublishGate(device);
            gate.brokerReceiveMaximum(connected.getResponseProperties().getReceiveMaximum());
            AtomicInteger refusals = new AtomicInteger();
            try {
                List<IMqttToken> tokens = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    String topic = "iomt/v1/DEV_" + (i % 20) + "/up/telemetry";
                    MqttMessage message = new MqttMessage(("m" + i).getBytes(StandardCharsets.UTF_8), 1, false,
                            new MqttProperties());
                    tokens.add(gate.publish(() -> {
                        try {
                            return device.publish(topic, message);
                        } catch (MqttException e) {
                            refusals.incrementAndGet();
                            throw e;
                        }
                    }));
                }
                for (IMqttToken token : tokens) {
                    token.waitForCompletion(10_000);
                }
                assertTrue(device.isConnected(), "the broker did not disconnect the publisher");
            } finally {
                device.disconnect().waitForCompletion(10_000);
                device.close();
            }
            assertEquals(0, refusals.get(), "Paho refused publishes the gate handed over");
            List<String> received = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (received.size() < count && System.nanoTime() < deadline) {
                gateway.receive(Duration.ofSeconds(1)).ifPresent(m -> received.add(m.text()));
            }
            assertEquals(count, received.size(), "publishes lost or repeated in the burst");
            assertEquals(count, new HashSet<>(received).size(), "each message once");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
