package org.iomtpq.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
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

class MqttBusyRetryTest {

    private static final MqttException BUSY = new MqttException(MqttClientException.REASON_CODE_MAX_INFLIGHT);

    @TempDir
    Path dataDir;

    @Test
    void aPublishRefusedAsBusyIsSentAgainUntilItGoesThrough() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        MqttBusyRetry.publish(() -> {
            if (attempts.incrementAndGet() < 4) {
                throw BUSY;
            }
        });
        assertEquals(4, attempts.get());
    }

    @Test
    void anyOtherRefusalIsThrownAtOnce() {
        AtomicInteger attempts = new AtomicInteger();
        MqttException notConnected = assertThrows(MqttException.class, () -> MqttBusyRetry.publish(() -> {
            attempts.incrementAndGet();
            throw new MqttException(MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED);
        }));
        assertEquals(MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED, notConnected.getReasonCode());
        assertEquals(1, attempts.get());
    }

    @Test
    void aClientThatStaysBusyFailsWithTheBusyErrorAfterTheLimit() {
        AtomicInteger attempts = new AtomicInteger();
        MqttException busy = assertThrows(MqttException.class, () -> MqttBusyRetry.publish(() -> {
            attempts.incrementAndGet();
            throw BUSY;
        }, Duration.ofMillis(50)));
        assertEquals(MqttClientException.REASON_CODE_MAX_INFLIGHT, busy.getReasonCode());
        assertTrue(attempts.get() > 1, "tried again before giving up: " + attempts.get());
    }

    @Test
    void anInterruptedCallerIsNotKeptWaiting() {
        AtomicInteger attempts = new AtomicInteger();
        Thread.currentThread().interrupt();
        try {
            assertThrows(MqttException.class, () -> MqttBusyRetry.publish(() -> {
                attempts.incrementAndGet();
                throw BUSY;
            }));
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
        } finally {
            Thread.interrupted();
        }
        assertEquals(1, attempts.get());
    }

    /**
     * Against a real broker: asynchronous QoS 1 publishes fired back to back go far beyond the Receive Maximum the
     * broker granted (the embedded HiveMQ's), which Paho refuses with 32202. Waited out, every one of them arrives.
     */
    @Test
    void aBurstBeyondTheBrokersReceiveMaximumArrivesWhole() throws Exception {
        int count = 1_000;
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.start(dataDir, "127.0.0.1", 0, Persistence.IN_MEMORY);
             PahoV5Client gateway = PahoV5Client.connect(broker.url(), "gateway-1")) {
            assertEquals(1, gateway.subscribe("iomt/v1/+/up/#", 1));
            MqttAsyncClient device = new MqttAsyncClient(broker.url(), "PULSE_OX_007", new MemoryPersistence());
            device.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
            try {
                IMqttToken last = null;
                for (int i = 0; i < count; i++) {
                    MqttMessage message = new MqttMessage(("m" + i).getBytes(), 1, false, new MqttProperties());
                    IMqttToken[] token = new IMqttToken[1];
                    MqttBusyRetry.publish(() -> token[0] = device.publish("iomt/v1/PULSE_OX_007/up/telemetry", message));
                    last = token[0];
                }
                last.waitForCompletion(10_000);
            } finally {
                device.disconnect().waitForCompletion(10_000);
                device.close();
            }
            Set<String> received = new HashSet<>();
            for (var m = gateway.receive(Duration.ofSeconds(10)); m.isPresent(); m = gateway.receive(Duration.ofSeconds(2))) {
                received.add(m.get().text());
                if (received.size() == count) {
                    break;
                }
            }
            assertEquals(count, received.size(), "publishes lost in the burst");
        }
    }
}
