package org.iomtpq.gateway.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the shipped config/mosquitto/mosquitto.conf and acl (only listener, files, persistence and
 * logging are replaced for the test) and checks the PROTOCOL.md §3 isolation between devices.
 */
class MosquittoAclIT {

    private static final Path SHIPPED = Path.of("config", "mosquitto");
    private static final Set<String> REPLACED_OPTIONS = Set.of("listener", "port", "password_file", "acl_file",
            "persistence", "persistence_location", "autosave_interval", "log_dest", "user", "pid_file");
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration QUIET = Duration.ofMillis(700);
    private static final String GATEWAY = "iomt-gateway";
    private static final String DEVICE_A = "BP_MONITOR_001";
    private static final String DEVICE_B = "PULSE_OX_002";

    @TempDir
    static Path folder;
    private static MosquittoProcess mosquitto;

    @BeforeAll
    static void startWithShippedAcl() throws Exception {
        MosquittoProcess.assumeInstalled();
        Path passwd = folder.resolve("passwd");
        for (String user : new String[] {GATEWAY, DEVICE_A, DEVICE_B}) {
            MosquittoPasswd.add(passwd, user, secretOf(user));
        }
        String body = shippedConfigWithout(REPLACED_OPTIONS)
                + "\npassword_file " + passwd.toAbsolutePath()
                + "\nacl_file " + SHIPPED.resolve("acl").toAbsolutePath()
                + "\npersistence false\n";
        mosquitto = MosquittoProcess.start(body);
    }

    @AfterAll
    static void stop() {
        if (mosquitto != null) {
            mosquitto.close();
        }
    }

    @Test
    void anonymousAndWrongPasswordAreRefused() throws Exception {
        assertThrows(MqttException.class, () -> PahoV5Client.connect(mosquitto.url(), "anon").close());
        assertThrows(MqttException.class,
                () -> PahoV5Client.connect(mosquitto.url(), "a-wrong", DEVICE_A, "wrong", true, 0).close());
        IOException refused = assertThrows(IOException.class,
                () -> Mqtt311Client.connect("127.0.0.1", mosquitto.port(), "anon311", null, null, true).close());
        assertTrue(refused.getMessage().contains("5"), refused.getMessage()); // 5 = not authorized
    }

    @Test
    void aDeviceReachesTheGatewayOnlyUnderItsOwnId() throws Exception {
        try (PahoV5Client gateway = login(GATEWAY);
             PahoV5Client deviceA = login(DEVICE_A)) {
            assertEquals(1, gateway.subscribe("iomt/v1/+/up/#", 1));

            int forged = deviceA.publishQos1("iomt/v1/" + DEVICE_B + "/up/telemetry", utf8("forged"), false);
            int own = deviceA.publishQos1("iomt/v1/" + DEVICE_A + "/up/telemetry", utf8("own"), false);

            assertEquals(0x87, forged, "MQTT 5 PUBACK 'not authorized' for another device's topic");
            assertEquals(0, own);
            PahoV5Client.Message first = gateway.receive(WAIT).orElseThrow(() -> new AssertionError(mosquitto.log()));
            assertEquals("iomt/v1/" + DEVICE_A + "/up/telemetry", first.topic());
            assertTrue(gateway.receive(QUIET).isEmpty(), "the forged message must not be delivered");
        }
    }

    @Test
    void aDeviceReadsOnlyItsOwnDownlinkAndTheGatewayRecords() throws Exception {
        try (PahoV5Client gateway = login(GATEWAY);
             PahoV5Client deviceA = login(DEVICE_A);
             PahoV5Client deviceB = login(DEVICE_B)) {
            // Mosquitto 2.0 grants any subscription (SUBACK QoS 1) and applies the read ACL to each
            // message it would deliver: the isolation shows in what arrives, not in the SUBACK.
            deviceB.subscribe("iomt/v1/" + DEVICE_A + "/down", 1);
            deviceB.subscribe("iomt/v1/+/down", 1);
            deviceB.subscribe("iomt/v1/+/up/#", 1);
            assertEquals(1, deviceA.subscribe("iomt/v1/" + DEVICE_A + "/down", 1));
            assertEquals(1, deviceA.subscribe("iomt/v1/gateways/+", 1));

            assertEquals(0, gateway.publishQos1("iomt/v1/" + DEVICE_A + "/down", utf8("answer"), false));
            gateway.publishQos1("iomt/v1/gateways/gw-1", utf8("record"), true);

            Set<String> received = Set.of(
                    deviceA.receive(WAIT).orElseThrow().text(), deviceA.receive(WAIT).orElseThrow().text());
            assertEquals(Set.of("answer", "record"), received);
            assertTrue(deviceB.receive(QUIET).isEmpty(), "device B saw another device's downlink");
        }
    }

    @Test
    void onlyTheGatewayWritesDownlinksAndGatewayRecords() throws Exception {
        try (PahoV5Client deviceA = login(DEVICE_A);
             PahoV5Client deviceB = login(DEVICE_B)) {
            assertEquals(0x87, deviceB.publishQos1("iomt/v1/" + DEVICE_A + "/down", utf8("fake answer"), false));
            assertEquals(0x87, deviceB.publishQos1("iomt/v1/gateways/gw-evil", utf8("fake record"), true));
            assertEquals(0x87, deviceA.publishQos1("iomt/v1/" + DEVICE_A + "/down", utf8("to myself"), false));
        }
    }

    @Test
    void mqtt311DeviceIsHeldToTheSameRules() throws Exception {
        try (PahoV5Client gateway = login(GATEWAY);
             Mqtt311Client deviceA = Mqtt311Client.connect("127.0.0.1", mosquitto.port(), "a311", DEVICE_A,
                     secretOf(DEVICE_A), true)) {
            assertEquals(1, gateway.subscribe("iomt/v1/+/up/#", 1));
            deviceA.subscribe("iomt/v1/+/down", 1);

            // MQTT 3.1.1 has no refusal code in PUBACK: the broker acks and silently drops.
            deviceA.publishQos1("iomt/v1/" + DEVICE_B + "/up/hello", utf8("forged"), false);
            deviceA.publishQos1("iomt/v1/" + DEVICE_A + "/up/hello", utf8("own"), false);

            assertEquals("own", gateway.receive(WAIT).orElseThrow().text());
            assertTrue(gateway.receive(QUIET).isEmpty());
            gateway.publishQos1("iomt/v1/" + DEVICE_B + "/down", utf8("for B"), false);
            gateway.publishQos1("iomt/v1/" + DEVICE_A + "/down", utf8("for A"), false);
            assertEquals("for A", deviceA.receive(WAIT).orElseThrow().text());
            assertTrue(deviceA.receive(QUIET).isEmpty(), "device A saw device B's downlink");
        }
    }

    @Test
    void gatewayInstancesCanShareTheLoadWithASharedSubscription() throws Exception {
        try (PahoV5Client gateway = login(GATEWAY);
             PahoV5Client deviceA = login(DEVICE_A)) {
            assertEquals(1, gateway.subscribe("$share/iomt-gateways/iomt/v1/+/up/#", 1));
            deviceA.publishQos1("iomt/v1/" + DEVICE_A + "/up/hello", utf8("shared"), false);
            Optional<PahoV5Client.Message> received = gateway.receive(WAIT);
            assertEquals("shared", received.orElseThrow(() -> new AssertionError(mosquitto.log())).text());
        }
    }

    @Test
    void shippedConfigKeepsTheSecuritySettings() throws IOException {
        String shipped = Files.readString(SHIPPED.resolve("mosquitto.conf"), StandardCharsets.UTF_8);
        assertTrue(shipped.lines().anyMatch("allow_anonymous false"::equals));
        assertTrue(shipped.lines().anyMatch(line -> line.startsWith("acl_file ")));
        assertTrue(shipped.lines().anyMatch(line -> line.startsWith("password_file ")));
        assertFalse(shipped.lines().anyMatch(line -> line.startsWith("listener 1883 0.0.0.0")));
    }

    private static PahoV5Client login(String user) throws MqttException {
        return PahoV5Client.connect(mosquitto.url(), user + "-" + System.nanoTime(), user, secretOf(user), true, 0);
    }

    private static String secretOf(String user) {
        return "pw-" + user;
    }

    private static String shippedConfigWithout(Set<String> options) throws IOException {
        return Files.readAllLines(SHIPPED.resolve("mosquitto.conf"), StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .filter(line -> !options.contains(line.trim().split("\\s+")[0]))
                .collect(Collectors.joining("\n"));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
