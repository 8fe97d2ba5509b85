package org.iomtpq.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import javax.net.ssl.SSLContext;

import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.config.StartupException;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.DeviceSession;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.Step;
import org.iomtpq.gateway.simulator.MqttDeviceTransport;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.iomtpq.gateway.simulator.VitalSigns;
import org.iomtpq.gateway.startup.GatewayRuntime;
import org.iomtpq.gateway.testsupport.DevCerts;
import org.iomtpq.gateway.testsupport.MosquittoPasswd;
import org.iomtpq.gateway.testsupport.MosquittoProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 item 1 with a production-shaped broker: Mosquitto with a TLS listener, the shipped ACL and a password
 * file; the gateway connects over ssl:// trusting the hospital's CA (IOMT_MQTT_CA_FILE) with its own account, and a
 * device with its own login handshakes and streams over MQTTS.
 */
class MosquittoTlsIT {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String DEVICE = "BP_MONITOR_TLS_001";

    @TempDir
    Path dir;

    @Test
    void theGatewayAndADeviceWorkThroughMosquittoOverTls() throws Exception {
        MosquittoProcess.assumeInstalled();
        Path certs = DevCerts.make(dir.resolve("certs"));
        SSLContext trust = DevCerts.trusting(certs.resolve("ca.pem"));
        Path passwd = dir.resolve("passwd");
        MosquittoPasswd.add(passwd, "iomt-gateway", "gateway secret");
        MosquittoPasswd.add(passwd, DEVICE, "device secret");
        try (MosquittoProcess mosquitto = MosquittoProcess.start("allow_anonymous false\npersistence false\n"
                        + "password_file " + passwd.toAbsolutePath() + "\nacl_file "
                        + Path.of("config", "mosquitto", "acl").toAbsolutePath() + "\n",
                "certfile " + certs.resolve("server.pem").toAbsolutePath() + "\nkeyfile "
                        + certs.resolve("server-key.pem").toAbsolutePath() + "\ntls_version tlsv1.2\n")) {
            String mqtts = "ssl://localhost:" + mosquitto.port();
            Map<String, String> settings = new HashMap<>(Map.of("iomt.mqtt.url", mqtts,
                    "iomt.mqtt.username", "iomt-gateway", "iomt.mqtt.password", "gateway secret"));

            Map<String, String> untrusting = new HashMap<>(
                    org.iomtpq.gateway.config.EphemeralGateway.in(dir.resolve("untrusting")).overrides());
            untrusting.putAll(settings); // without iomt.mqtt.ca-file: the JVM's trust does not know the CA
            StartupException refused = assertThrows(StartupException.class,
                    () -> GatewayRuntime.start(GatewaySettings.fromEnvironment(untrusting)).close());
            assertTrue(refused.getMessage().startsWith("cannot connect to the MQTT broker at " + mqtts), refused.getMessage());

            settings.put("iomt.mqtt.ca-file", certs.resolve("ca.pem").toString());
            try (GatewayFixture gw = GatewayFixture.start(dir.resolve("gw"), settings)) {
                DeviceIdentity id = DeviceIdentity.generate(DEVICE, "bp-monitor", RANDOM);
                assertEquals(201, gw.postAsOperator("/devices", Forge.enroll(id, Instant.now(), RANDOM)).status());
                try (MqttDeviceTransport mqtt = new MqttDeviceTransport(mqtts, trust.getSocketFactory(),
                        d -> "device secret")) {
                    DeviceSession session = new SimulatedDevice(id, mqtt, RANDOM).handshake(GatewayFixture.GATEWAY_ID,
                            gw.gatewayKey());
                    for (int i = 0; i < 5; i++) {
                        mqtt.send(DEVICE, Step.TELEMETRY, MessageCodec.toJson(session.seal(VitalSigns.originalSample())),
                                Duration.ZERO);
                    }
                    GatewayFixture.awaitTrue("5 readings stored", Duration.ofSeconds(20),
                            () -> gw.counts().observations() == 5);
                }
            }
        }
    }
}
