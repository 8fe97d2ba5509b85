package org.iomtpq.gateway.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** QoS 1 round trips through a real Mosquitto with MQTT 5 (Paho) and MQTT 3.1.1 clients. */
class MosquittoProcessIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static MosquittoProcess mosquitto;

    @BeforeAll
    static void startBroker() {
        mosquitto = MosquittoProcess.requireOrSkip();
    }

    @AfterAll
    static void stopBroker() {
        if (mosquitto != null) {
            mosquitto.close();
        }
    }

    @Test
    void pahoMqtt5Qos1RoundTrip() throws Exception {
        try (PahoV5Client gateway = PahoV5Client.connect(mosquitto.url(), "it-gateway-v5");
             PahoV5Client device = PahoV5Client.connect(mosquitto.url(), "BP_MONITOR_001")) {
            assertEquals(1, gateway.subscribe("iomt/v1/+/up/#", 1));
            assertEquals(1, device.subscribe("iomt/v1/BP_MONITOR_001/down", 1));

            assertEquals(0, device.publishQos1("iomt/v1/BP_MONITOR_001/up/hello", utf8("hello"), false));
            PahoV5Client.Message up = gateway.receive(WAIT).orElseThrow(() -> new AssertionError(mosquitto.log()));
            assertEquals("iomt/v1/BP_MONITOR_001/up/hello", up.topic());
            assertEquals(1, up.qos());

            gateway.publishQos1("iomt/v1/BP_MONITOR_001/down", utf8("server-hello"), false);
            assertEquals("server-hello", device.receive(WAIT).orElseThrow().text());
        }
    }

    @Test
    void mqtt311Qos1RoundTrip() throws Exception {
        try (Mqtt311Client gateway = Mqtt311Client.connect("127.0.0.1", mosquitto.port(), "it-gateway-311", null, null, true);
             Mqtt311Client device = Mqtt311Client.connect("127.0.0.1", mosquitto.port(), "THERMO_042", null, null, true)) {
            assertEquals(1, gateway.subscribe("iomt/v1/+/up/#", 1));

            device.publishQos1("iomt/v1/THERMO_042/up/telemetry", utf8("{\"seq\":1}"), false);

            Mqtt311Client.Message up = gateway.receive(WAIT).orElseThrow(() -> new AssertionError(mosquitto.log()));
            assertEquals("iomt/v1/THERMO_042/up/telemetry", up.topic());
            assertEquals("{\"seq\":1}", up.text());
            assertEquals(1, up.qos());
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
