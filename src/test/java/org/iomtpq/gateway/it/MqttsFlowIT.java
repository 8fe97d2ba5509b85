package org.iomtpq.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;

import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.DeviceSession;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.simulator.MqttDeviceTransport;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.iomtpq.gateway.simulator.VitalSigns;
import org.iomtpq.gateway.testsupport.DevCerts;
import org.iomtpq.gateway.testsupport.MosquittoPasswd;
import org.iomtpq.gateway.testsupport.SystemPackages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 item 1: a gateway on its embedded broker with TLS and logins. A device with its own broker login runs the
 * handshake and streams over MQTTS while the operator enrolls it over HTTPS; the independent Node.js client runs
 * every flow over HTTPS and MQTTS (trusting the development CA through NODE_EXTRA_CA_CERTS).
 */
class MqttsFlowIT {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String DEVICE = "PULSE_OX_TLS_001";

    @TempDir
    Path dir;

    @Test
    void aDeviceWithItsOwnLoginHandshakesAndStreamsOverMqtts() throws Exception {
        SystemPackages.requireOrSkip(Files.isExecutable(MosquittoPasswd.TOOL) ? null
                : MosquittoPasswd.TOOL + " is not installed (apt-get install mosquitto)");
        Path certs = DevCerts.make(dir.resolve("certs"));
        SSLContext trust = DevCerts.trusting(certs.resolve("ca.pem"));
        Path passwd = dir.resolve("passwd");
        MosquittoPasswd.add(passwd, DEVICE, "device secret");
        Map<String, String> settings = secured(certs, Map.of("iomt.mqtt.passwords-file", passwd.toString()));
        try (GatewayFixture gw = GatewayFixture.start(dir.resolve("gw"), settings, trust)) {
            String mqtts = "ssl://localhost:" + settings.get("iomt.mqtt.tls-port");
            DeviceIdentity id = DeviceIdentity.generate(DEVICE, "pulse-oximeter", RANDOM);
            assertEquals(201, gw.postAsOperator("/devices", Forge.enroll(id, Instant.now(), RANDOM)).status());
            try (MqttDeviceTransport mqtt = new MqttDeviceTransport(mqtts, trust.getSocketFactory(), d -> "device secret")) {
                DeviceSession session = new SimulatedDevice(id, mqtt, RANDOM).handshake(GatewayFixture.GATEWAY_ID,
                        gw.gatewayKey());
                for (int i = 0; i < 5; i++) {
                    mqtt.send(DEVICE, org.iomtpq.gateway.protocol.Step.TELEMETRY,
                            MessageCodec.toJson(session.seal(VitalSigns.originalSample())), Duration.ZERO);
                }
                GatewayFixture.awaitTrue("5 readings stored", Duration.ofSeconds(20), () -> gw.counts().observations() == 5);
            }
            try (MqttDeviceTransport wrong = new MqttDeviceTransport(mqtts, trust.getSocketFactory(), d -> "guess")) {
                IllegalStateException refused = assertThrows(IllegalStateException.class, () -> wrong.send(DEVICE,
                        org.iomtpq.gateway.protocol.Step.HELLO, "{}", Duration.ofSeconds(1)));
                assertTrue(refused.getMessage().contains("cannot connect device"), refused.getMessage());
            }
        }
    }

    @Test
    void theIndependentClientRunsEveryFlowOverHttpsAndMqtts() throws Exception {
        NodeDeviceClient.requireOrSkip();
        Path certs = DevCerts.make(dir.resolve("certs"));
        Map<String, String> settings = secured(certs, Map.of());
        try (GatewayFixture gw = GatewayFixture.start(dir.resolve("gw"), settings, DevCerts.trusting(certs.resolve("ca.pem")))) {
            assertTrue(gw.api().startsWith("https://"), gw.api());
            String mqtts = "ssl://localhost:" + settings.get("iomt.mqtt.tls-port");
            NodeDeviceClient.Run run = NodeDeviceClient.run(List.of("--http", gw.api(),
                    "--mqtt", mqtts, "--token", gw.operatorToken(), "--auditor-token", gw.auditorToken(), "--transport",
                    "both"), dir.resolve("client.log"), Duration.ofMinutes(5),
                    Map.of("NODE_EXTRA_CA_CERTS", certs.resolve("ca.pem").toAbsolutePath().toString()));
            assertTrue(run.finished(), "the client did not finish within 5 minutes:\n" + run.output());
            assertEquals(0, run.exitCode(), "the independent client reported failures over TLS:\n" + run.output());
            assertTrue(run.output().contains("PASS"), "the client ran no checks:\n" + run.output());
        }
    }

    private static Map<String, String> secured(Path certs, Map<String, String> more) {
        Map<String, String> settings = new java.util.HashMap<>(more);
        settings.put("iomt.tls.cert-file", certs.resolve("server.pem").toString());
        settings.put("iomt.tls.key-file", certs.resolve("server-key.pem").toString());
        settings.put("iomt.mqtt.tls-port", String.valueOf(org.iomtpq.gateway.testsupport.FreePorts.loopback()));
        return settings;
    }
}
