package org.iomtpq.gateway.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import org.iomtpq.gateway.simulator.MessageListener;
import org.iomtpq.gateway.testsupport.MosquittoProcess;
import org.iomtpq.gateway.testsupport.PahoV5Client;
import org.junit.jupiter.api.Test;

/**
 * The ingress client's persistent session against a real Mosquitto: the broker sends at most the Receive Maximum the
 * gateway asked for unacknowledged; the rest waits at the broker, and what was never acknowledged comes again.
 */
class IngressMqttClientIT {

    @Test
    void theBrokerSendsNoMoreUnacknowledgedMessagesThanTheReceiveMaximum() throws Exception {
        try (MosquittoProcess mosquitto = MosquittoProcess.requireOrSkip()) {
            IngressMqttClient ingress = IngressMqttClient.connect(mosquitto.url(), "ingress-it", 600, GatewayMqttClients.Login.NONE, 10);
            AtomicInteger arrived = new AtomicInteger();
            ingress.subscribe("iomt/v1/+/up/+", 1);
            ingress.setCallback(counting(arrived));
            ingress.release();
            try (PahoV5Client device = PahoV5Client.connect(mosquitto.url(), "device-it")) {
                for (int i = 0; i < 100; i++) {
                    device.publishQos1("iomt/v1/D1/up/telemetry", ("m" + i).getBytes(StandardCharsets.UTF_8), false);
                }
            }
            Thread.sleep(1_500);
            assertEquals(10, arrived.get(), "unacknowledged messages sent by the broker");
            ingress.disconnectForcibly(1_000, 1_000, false);
            ingress.close(true);

            // a restart: the same persistent session, nothing acknowledged before
            IngressMqttClient restarted = IngressMqttClient.connect(mosquitto.url(), "ingress-it", 600, GatewayMqttClients.Login.NONE, 10);
            AtomicInteger again = new AtomicInteger();
            restarted.setCallback(counting(again));
            restarted.release();
            Thread.sleep(1_500);
            assertEquals(10, again.get(), "after a reconnect: the unacknowledged ten again, and no more");
            restarted.disconnectForcibly(1_000, 1_000, false);
            restarted.close(true);
        }
    }

    private static MessageListener counting(AtomicInteger arrived) {
        return (topic, message) -> arrived.incrementAndGet(); // never acknowledged
    }
}
