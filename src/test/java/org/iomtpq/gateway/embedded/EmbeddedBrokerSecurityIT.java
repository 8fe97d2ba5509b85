package org.iomtpq.gateway.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import javax.net.SocketFactory;
import javax.net.ssl.SSLSocket;

import org.eclipse.paho.mqttv5.common.MqttException;
import org.iomtpq.gateway.testsupport.DevCerts;
import org.iomtpq.gateway.testsupport.FreePorts;
import org.iomtpq.gateway.testsupport.MosquittoPasswd;
import org.iomtpq.gateway.testsupport.PahoV5Client;
import org.iomtpq.gateway.testsupport.SystemPackages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 item 1 (the embedded broker's part): TLS, logins from a password file made by {@code mosquitto_passwd}
 * and the ACL of PROTOCOL.md §3 — the rules MosquittoAclIT checks on the shipped Mosquitto configuration, here
 * on HiveMQ over TLS — and the per-address connection cap.
 */
class EmbeddedBrokerSecurityIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration QUIET = Duration.ofMillis(700);
    private static final String GATEWAY = "iomt-gateway";
    private static final String GATEWAY_SECRET = "this start's own gateway password";
    private static final String DEVICE_A = "BP_MONITOR_001";
    private static final String DEVICE_B = "PULSE_OX_002";
    private static final String REMOVED = "THERMO_003";
    private static final int CAP = 6;

    @TempDir
    static Path folder;
    private static Path passwd;
    private static EmbeddedMqttBroker broker;
    private static BrokerSecurity security;
    private static String tlsUrl;
    private static SocketFactory trust;

    @BeforeAll
    static void start() throws Exception {
        SystemPackages.requireOrSkip(Files.isExecutable(MosquittoPasswd.TOOL) ? null
                : MosquittoPasswd.TOOL + " is not installed (apt-get install mosquitto)");
        Path certs = DevCerts.make(folder.resolve("certs"));
        trust = DevCerts.trusting(certs.resolve("ca.pem")).getSocketFactory();
        passwd = folder.resolve("passwd");
        for (String device : new String[] {DEVICE_A, DEVICE_B, REMOVED}) {
            MosquittoPasswd.add(passwd, device, secretOf(device));
        }
        int tlsPort = FreePorts.loopback();
        security = new BrokerSecurity(new BrokerSecurity.Logins(MosquittoPasswordFile.read(passwd), GATEWAY,
                GATEWAY_SECRET.getBytes(StandardCharsets.UTF_8)), CAP);
        broker = EmbeddedMqttBroker.start(folder.resolve("data"), "127.0.0.1", 0, EmbeddedMqttBroker.Persistence.IN_MEMORY,
                new EmbeddedMqttBroker.TlsListener("127.0.0.1", tlsPort, certs.resolve("server.pem"),
                        certs.resolve("server-key.pem")), security);
        tlsUrl = "ssl://localhost:" + tlsPort;
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theTlsListenerSpeaksTls13WithTheConfiguredCertificate() throws Exception {
        int port = Integer.parseInt(tlsUrl.substring(tlsUrl.lastIndexOf(':') + 1));
        try (SSLSocket tls = (SSLSocket) trust.createSocket("localhost", port)) {
            tls.startHandshake();
            assertEquals("TLSv1.3", tls.getSession().getProtocol());
        }
        assertThrows(MqttException.class, () -> PahoV5Client.connect(tlsUrl, "untrusted", DEVICE_A, secretOf(DEVICE_A),
                true, 0, javax.net.ssl.SSLContext.getDefault().getSocketFactory()).close(), "a client not trusting the CA");
    }

    @Test
    void anonymousWrongPasswordAndUnknownUsersAreRefusedOnBothListeners() throws Exception {
        for (String url : new String[] {tlsUrl, broker.url()}) {
            SocketFactory sockets = url.startsWith("ssl:") ? trust : null;
            assertEquals(0x86, refusal(() -> PahoV5Client.connect(url, "anon", null, null, true, 0, sockets)), url);
            assertEquals(0x86, refusal(() -> PahoV5Client.connect(url, "wrong", DEVICE_A, "wrong", true, 0, sockets)), url);
            assertEquals(0x86, refusal(() -> PahoV5Client.connect(url, "who", "NOBODY_001", "x", true, 0, sockets)), url);
            assertEquals(0x86, refusal(() -> PahoV5Client.connect(url, "gw", GATEWAY, "guess", true, 0, sockets)), url);
        }
    }

    @Test
    void aDeviceReachesTheGatewayOnlyUnderItsOwnId() throws Exception {
        try (PahoV5Client gateway = gateway();
             PahoV5Client deviceA = login(DEVICE_A)) {
            assertEquals(1, gateway.subscribe("$share/iomt-gateways/iomt/v1/+/up/#", 1), "shared subscriptions too");
            assertEquals(0x87, forbiddenPublish(DEVICE_A, "iomt/v1/" + DEVICE_B + "/up/telemetry", false));
            assertEquals(0, deviceA.publishQos1("iomt/v1/" + DEVICE_A + "/up/telemetry", utf8("own"), false));
            PahoV5Client.Message first = gateway.receive(WAIT).orElseThrow();
            assertEquals("iomt/v1/" + DEVICE_A + "/up/telemetry", first.topic());
            assertTrue(gateway.receive(QUIET).isEmpty(), "the forged message must not be delivered");
        }
    }

    @Test
    void aDeviceReadsOnlyItsOwnDownlinkAndTheGatewayRecords() throws Exception {
        try (PahoV5Client gateway = gateway();
             PahoV5Client deviceA = login(DEVICE_A);
             PahoV5Client deviceB = login(DEVICE_B)) {
            // HiveMQ refuses a foreign subscription in the SUBACK (Mosquitto grants it and filters each message)
            assertEquals(0x87, deviceB.subscribe("iomt/v1/" + DEVICE_A + "/down", 1));
            assertEquals(0x87, deviceB.subscribe("iomt/v1/+/down", 1));
            assertEquals(0x87, deviceB.subscribe("iomt/v1/+/up/#", 1));
            assertEquals(1, deviceA.subscribe("iomt/v1/" + DEVICE_A + "/down", 1));
            assertEquals(1, deviceA.subscribe("iomt/v1/gateways/+", 1));

            assertEquals(0, gateway.publishQos1("iomt/v1/" + DEVICE_A + "/down", utf8("answer"), false));
            assertEquals(0, gateway.publishQos1("iomt/v1/gateways/gw-1", utf8("record"), true));
            Set<String> received = Set.of(deviceA.receive(WAIT).orElseThrow().text(), deviceA.receive(WAIT).orElseThrow().text());
            assertEquals(Set.of("answer", "record"), received);
            assertTrue(deviceB.receive(QUIET).isEmpty(), "device B saw another device's downlink");
        }
    }

    @Test
    void onlyTheGatewayWritesDownlinksAndGatewayRecordsAndReadsUplinks() throws Exception {
        assertEquals(0x87, forbiddenPublish(DEVICE_B, "iomt/v1/" + DEVICE_A + "/down", false));
        assertEquals(0x87, forbiddenPublish(DEVICE_B, "iomt/v1/gateways/gw-evil", true));
        assertEquals(0x87, forbiddenPublish(DEVICE_A, "iomt/v1/" + DEVICE_A + "/down", false));
        try (PahoV5Client deviceA = login(DEVICE_A)) {
            assertEquals(0x87, deviceA.subscribe("iomt/v1/" + DEVICE_A + "/up/#", 1), "a device does not read uplinks");
        }
    }

    @Test
    void aDeviceTakenOutOfTheFileCannotLogInAgain() throws Exception {
        login(REMOVED).close();
        MosquittoPasswd.remove(passwd, REMOVED);
        // the file is looked at once a second and re-read when its time changed: make sure it did
        Files.setLastModifiedTime(passwd, FileTime.from(Instant.now().plusSeconds(5)));
        long deadline = System.nanoTime() + WAIT.toNanos();
        int refusal = 0;
        while (refusal == 0 && System.nanoTime() < deadline) {
            Thread.sleep(300);
            refusal = refusal(() -> login(REMOVED));
        }
        assertEquals(0x86, refusal, "still logged in after being removed from " + passwd);
        login(DEVICE_A).close();
    }

    @Test
    void oneAddressHoldsAtMostTheCapOfOpenConnections() throws Exception {
        java.net.InetAddress loopback = java.net.InetAddress.getByName("127.0.0.1");
        long settled = System.nanoTime() + WAIT.toNanos();
        while (security.openFrom(loopback) > 0 && System.nanoTime() < settled) {
            Thread.sleep(50); // the other tests' disconnects give their slots back asynchronously
        }
        List<PahoV5Client> open = new ArrayList<>();
        try {
            int refusal = 0;
            while (refusal == 0 && open.size() <= CAP) {
                try {
                    open.add(login(DEVICE_A));
                } catch (MqttException e) {
                    refusal = e.getReasonCode();
                }
            }
            assertEquals(0x97, refusal, "CONNACK quota exceeded once " + CAP + " are open");
            assertEquals(CAP, open.size(), "refused at the cap, not before");
            open.remove(0).close();
            Thread.sleep(300); // the disconnect event gives the slot back
            open.add(login(DEVICE_A));
        } finally {
            for (PahoV5Client c : open) {
                c.close();
            }
        }
    }

    /**
     * The refusal of a publish the ACL forbids: HiveMQ disconnects the client with reason 0x87 (not authorized) where
     * Mosquitto answers PUBACK 0x87 and keeps it; either way the message goes nowhere.
     */
    private static int forbiddenPublish(String device, String topic, boolean retain) throws Exception {
        try (PahoV5Client client = login(device)) {
            return client.publishQos1Refusal(topic, utf8("forged"), retain);
        }
    }

    private interface Connect {
        PahoV5Client open() throws Exception;
    }

    /** The CONNACK reason code of a refused connection, 0 when it was accepted (and closed again). */
    private static int refusal(Connect connect) throws Exception {
        try {
            connect.open().close();
            return 0;
        } catch (MqttException e) {
            return e.getReasonCode();
        }
    }

    private static PahoV5Client login(String device) throws MqttException {
        return PahoV5Client.connect(tlsUrl, device + "-" + System.nanoTime(), device, secretOf(device), true, 0, trust);
    }

    private static PahoV5Client gateway() throws MqttException {
        return PahoV5Client.connect(broker.url(), "gw-" + System.nanoTime(), GATEWAY, GATEWAY_SECRET, true, 0, null);
    }

    private static String secretOf(String user) {
        return "pw-" + user;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
