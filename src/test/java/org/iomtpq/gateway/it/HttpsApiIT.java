package org.iomtpq.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;

import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.config.StartupException;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.DeviceSession;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.iomtpq.gateway.simulator.VitalSigns;
import org.iomtpq.gateway.startup.GatewayRuntime;
import org.iomtpq.gateway.testsupport.DevCerts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 item 1 (the HTTP API's part): HTTPS with a certificate from {@code ./iomt dev-cert}: every device step
 * and the operator API over TLS 1.3, plain HTTP on that port gets no answer, and an untrusted client fails the
 * handshake; a plain API bound beyond loopback refuses to start.
 */
class HttpsApiIT {

    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    /** {@code ./iomt dev-cert --dir certs}: what an operator runs. */
    private Path devCert() throws Exception {
        return DevCerts.make(dir.resolve("certs"));
    }

    private static SSLContext trusting(Path caPem) throws Exception {
        return DevCerts.trusting(caPem);
    }

    @Test
    void everyStepAndTheOperatorApiWorkOverHttpsAndNothingElseIsAnswered() throws Exception {
        Path certs = devCert();
        SSLContext trust = trusting(certs.resolve("ca.pem"));
        try (GatewayFixture gw = GatewayFixture.start(dir.resolve("gw"), Map.of(
                "iomt.tls.cert-file", certs.resolve("server.pem").toString(),
                "iomt.tls.key-file", certs.resolve("server-key.pem").toString()), trust)) {
            assertTrue(gw.api().startsWith("https://127.0.0.1:"), gw.api());
            DeviceIdentity id = DeviceIdentity.generate("THERMO_TLS_001", "thermometer", RANDOM);
            assertEquals(201, gw.postAsOperator("/devices", Forge.enroll(id, Instant.now(), RANDOM)).status());
            DeviceSession session = new SimulatedDevice(id, gw.httpTransport(), RANDOM)
                    .handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
            for (int i = 0; i < 3; i++) {
                assertEquals(201, gw.post("/telemetry", MessageCodec.toJson(session.seal(VitalSigns.originalSample()))).status());
            }
            assertEquals(3, gw.counts().observations());
            assertEquals(200, gw.get("/devices/THERMO_TLS_001", gw.operatorToken()).status());

            URI api = URI.create(gw.api());
            try (SSLSocket tls = (SSLSocket) trust.getSocketFactory().createSocket(api.getHost(), api.getPort())) {
                tls.startHandshake();
                assertEquals("TLSv1.3", tls.getSession().getProtocol());
            }
            try (SSLSocket old = (SSLSocket) trust.getSocketFactory().createSocket(api.getHost(), api.getPort())) {
                old.setEnabledProtocols(new String[] {"TLSv1.2"});
                old.startHandshake();
                assertEquals("TLSv1.2", old.getSession().getProtocol(), "1.2 is still offered");
            }
            SSLContext untrusting = SSLContext.getInstance("TLS");
            untrusting.init(null, null, RANDOM);
            try (SSLSocket stranger = (SSLSocket) untrusting.getSocketFactory().createSocket(api.getHost(), api.getPort())) {
                assertThrows(SSLHandshakeException.class, stranger::startHandshake, "a client that does not trust the CA");
            }
            try (Socket plain = new Socket(api.getHost(), api.getPort())) {
                plain.setSoTimeout(15_000);
                OutputStream out = plain.getOutputStream();
                out.write("GET /api/v1/gateway HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String answer = new String(plain.getInputStream().readNBytes(64), StandardCharsets.ISO_8859_1);
                assertFalse(answer.startsWith("HTTP/1.1 200"), "plain HTTP on the TLS port is not served: " + answer);
            } catch (java.net.SocketException reset) {
                // closed on us: not served either
            }
        }
    }

    @Test
    void withAClientCaTheOperatorApiAlsoWantsAClientCertificateAndDevicesDoNot() throws Exception {
        Path certs = devCert();
        SSLContext operator = DevCerts.clientPresenting(certs, "operator-1");
        try (GatewayFixture gw = GatewayFixture.start(dir.resolve("gw"), Map.of(
                "iomt.tls.cert-file", certs.resolve("server.pem").toString(),
                "iomt.tls.key-file", certs.resolve("server-key.pem").toString(),
                "iomt.tls.client-ca-file", certs.resolve("ca.pem").toString()), operator)) {
            assertEquals(200, gw.get("/devices", gw.operatorToken()).status(), "token and certificate");
            assertEquals(200, gw.get("/devices", gw.auditorToken()).status(), "the auditor likewise");

            java.net.http.HttpClient noCertificate = java.net.http.HttpClient.newBuilder()
                    .sslContext(trusting(certs.resolve("ca.pem"))).build();
            java.net.http.HttpResponse<String> refused = noCertificate.send(java.net.http.HttpRequest.newBuilder(
                    URI.create(gw.api() + "/devices")).header("Authorization", "Bearer " + gw.operatorToken()).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(401, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("\"UNAUTHORIZED\""), refused.body());
            java.net.http.HttpResponse<String> device = noCertificate.send(java.net.http.HttpRequest.newBuilder(
                    URI.create(gw.api() + "/gateway")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, device.statusCode(), "a device step needs no certificate: " + device.body());
        }
    }

    @Test
    void aPlainApiBeyondLoopbackRefusesToStartUnlessPlaintextIsAllowed() {
        Map<String, String> beyondLoopback = new java.util.HashMap<>(org.iomtpq.gateway.config.EphemeralGateway
                .in(dir.resolve("plain")).overrides());
        beyondLoopback.put("iomt.http.host", "0.0.0.0");
        StartupException refused = assertThrows(StartupException.class,
                () -> GatewayRuntime.start(GatewaySettings.fromEnvironment(beyondLoopback)).close());
        assertTrue(refused.getMessage().startsWith("the HTTP API would listen without TLS on 0.0.0.0: set IOMT_TLS_CERT_FILE"),
                refused.getMessage());
        beyondLoopback.put("iomt.http.host", "127.0.0.1");
        beyondLoopback.put("iomt.mqtt.host", "0.0.0.0");
        assertTrue(assertThrows(StartupException.class,
                () -> GatewayRuntime.start(GatewaySettings.fromEnvironment(beyondLoopback)).close()).getMessage()
                .startsWith("the embedded MQTT broker would listen without TLS or logins on 0.0.0.0"));
        // TLS alone is not enough beyond loopback: devices must log in (PROTOCOL.md §3); checked before any file is read
        beyondLoopback.put("iomt.tls.cert-file", dir.resolve("server.pem").toString());
        beyondLoopback.put("iomt.tls.key-file", dir.resolve("server-key.pem").toString());
        assertTrue(assertThrows(StartupException.class,
                () -> GatewayRuntime.start(GatewaySettings.fromEnvironment(beyondLoopback)).close()).getMessage()
                .startsWith("the embedded MQTT broker would listen without logins on 0.0.0.0: set IOMT_TLS_CERT_FILE"));
    }
}
