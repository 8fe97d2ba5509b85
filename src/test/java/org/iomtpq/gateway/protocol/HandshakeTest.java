package org.iomtpq.gateway.protocol;

import static org.iomtpq.gateway.protocol.ProtocolFixtures.DEVICE;
import static org.iomtpq.gateway.protocol.ProtocolFixtures.GATEWAY_ID;
import static org.iomtpq.gateway.protocol.ProtocolFixtures.GATEWAY_KEM;
import static org.iomtpq.gateway.protocol.ProtocolFixtures.NOW;
import static org.iomtpq.gateway.protocol.ProtocolFixtures.RND;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.iomtpq.gateway.crypto.MlKemKeyPair;
import org.iomtpq.gateway.crypto.MlKemPublicKey;
import org.junit.jupiter.api.Test;

/** §5 end to end: device and gateway agree, and any change to anything in TH breaks the handshake. */
class HandshakeTest {
    private static final Duration TTL = Duration.ofHours(24);

    private static PendingHandshake respond(HelloMessage hello) {
        return GatewayHandshake.respond(hello, GATEWAY_ID, GATEWAY_KEM, DEVICE.kemKeyPair().publicKey(), NOW, TTL,
                1_000_000L, RND);
    }

    private static DeviceHandshake start() {
        return DeviceHandshake.start(DEVICE, GATEWAY_ID, GATEWAY_KEM.publicKey(), RND);
    }

    @Test
    void deviceAndGatewayAgreeEndToEnd() {
        DeviceHandshake device = start();
        // the hello travels as JSON and is parsed strictly on the gateway
        HelloMessage hello = MessageCodec.parseHello(ProtocolFixtures.utf8(MessageCodec.toJson(device.hello())));
        PendingHandshake pending = respond(hello);
        assertEquals("2026-11-24T19:00:00.000Z", pending.expiresAt());
        assertEquals(16, pending.sessionId().length);
        ServerHelloMessage sh = MessageCodec.parseServerHello(
                ProtocolFixtures.utf8(MessageCodec.toJson(pending.serverHello())));

        DeviceSession session = device.complete(sh);
        FinishedMessage finished = MessageCodec.parseFinished(ProtocolFixtures.utf8(MessageCodec.toJson(device.finished())));
        assertArrayEquals(pending.sessionId(), finished.sessionId());
        assertTrue(GatewayHandshake.finishedMacValid(pending.transcriptHash(), pending.keys().deviceFinished(),
                finished.mac()));
        assertArrayEquals(pending.transcriptHash(), Transcript.hash(hello, sh));

        Map<String, BigDecimal> vitals = new LinkedHashMap<>();
        vitals.put("systolic", new BigDecimal("145"));
        vitals.put("temperature", new BigDecimal("37.2"));
        TelemetryMessage t1 = session.seal(new Reading("2026-11-23T19:00:05Z", vitals));
        TelemetryMessage t2 = session.seal(new Reading("2026-11-23T19:00:06Z", vitals));
        assertEquals(1, t1.seq());
        assertEquals(2, t2.seq());
        TelemetryMessage received = MessageCodec.parseTelemetry(ProtocolFixtures.utf8(MessageCodec.toJson(t2)));
        ValidatedReading reading = Vitals.parse(TelemetryCrypto.open(pending.keys().deviceToGateway(), received));
        assertEquals("2026-11-23T19:00:06Z", reading.observedAt());
        assertEquals(vitals, reading.vitals());
        assertTrue(reading.quality().isEmpty());
    }

    @Test
    void finishedMacFromAnotherSessionOrFlippedIsRejected() {
        DeviceHandshake a = start();
        PendingHandshake pa = respond(a.hello());
        a.complete(pa.serverHello());
        DeviceHandshake b = start();
        PendingHandshake pb = respond(b.hello());
        b.complete(pb.serverHello());
        assertFalse(GatewayHandshake.finishedMacValid(pa.transcriptHash(), pa.keys().deviceFinished(), b.finished().mac()));
        byte[] mac = a.finished().mac();
        for (int i = 0; i < mac.length; i++) {
            byte[] flipped = mac.clone();
            flipped[i] ^= 0x01;
            assertFalse(GatewayHandshake.finishedMacValid(pa.transcriptHash(), pa.keys().deviceFinished(), flipped));
        }
        assertFalse(GatewayHandshake.finishedMacValid(pa.transcriptHash(), pa.keys().deviceFinished(), new byte[31]));
        assertFalse(GatewayHandshake.finishedMacValid(pa.transcriptHash(), pa.keys().deviceFinished(), null));
    }

    /** A man in the middle changes one byte of one hello field; the device must not end up with a session. */
    @Test
    void flippingAnyHelloFieldBreaksTheHandshake() {
        List<UnaryOperator<HelloMessage>> tamperings = List.of(
                h -> new HelloMessage(h.deviceId(), h.gatewayId(), h.suite(), flip(h.nonce(), 0), h.ephemeralKemPublicKey(), h.gatewayCiphertext()),
                h -> new HelloMessage(h.deviceId(), h.gatewayId(), h.suite(), flip(h.nonce(), 31), h.ephemeralKemPublicKey(), h.gatewayCiphertext()),
                // last bytes of an ML-KEM key are rho: the key stays valid, so the gateway answers
                h -> new HelloMessage(h.deviceId(), h.gatewayId(), h.suite(), h.nonce(), flip(h.ephemeralKemPublicKey(), 1183), h.gatewayCiphertext()),
                h -> new HelloMessage(h.deviceId(), h.gatewayId(), h.suite(), h.nonce(), flip(h.ephemeralKemPublicKey(), 0), h.gatewayCiphertext()),
                h -> new HelloMessage(h.deviceId(), h.gatewayId(), h.suite(), h.nonce(), h.ephemeralKemPublicKey(), flip(h.gatewayCiphertext(), 0)),
                h -> new HelloMessage(h.deviceId(), h.gatewayId(), h.suite(), h.nonce(), h.ephemeralKemPublicKey(), flip(h.gatewayCiphertext(), 1087)),
                h -> new HelloMessage("BP_MONITOR_002", h.gatewayId(), h.suite(), h.nonce(), h.ephemeralKemPublicKey(), h.gatewayCiphertext()),
                h -> new HelloMessage(h.deviceId(), "GATEWAY_EU_2", h.suite(), h.nonce(), h.ephemeralKemPublicKey(), h.gatewayCiphertext()),
                h -> new HelloMessage(h.deviceId(), h.gatewayId(), "MLKEM768-MLDSA65-AES256GCM-SHA384", h.nonce(), h.ephemeralKemPublicKey(), h.gatewayCiphertext()));
        int reachedDevice = 0;
        for (UnaryOperator<HelloMessage> tamper : tamperings) {
            DeviceHandshake device = start();
            HelloMessage forged = tamper.apply(device.hello());
            PendingHandshake pending;
            try {
                pending = respond(forged);
            } catch (ProtocolException rejectedByGateway) {
                continue; // the gateway refused (wrong gatewayId, suite or key): no session either
            }
            ProtocolException e = assertThrows(ProtocolException.class, () -> device.complete(pending.serverHello()));
            assertEquals(ErrorCode.HANDSHAKE_FAILED, e.code());
            reachedDevice++;
        }
        // nonce x2, ephemeral key rho, ctG x2 and deviceId at least get past the gateway to the device's MAC check
        assertTrue(reachedDevice >= 6, "only " + reachedDevice + " tamperings reached the device");
    }

    /** A man in the middle changes one byte of one server-hello field. */
    @Test
    void flippingAnyServerHelloFieldBreaksTheHandshake() {
        List<UnaryOperator<ServerHelloMessage>> tamperings = List.of(
                s -> sh(s, flip(s.sessionId(), 0), s.nonce(), s.expiresAt(), s.maxMessages(), s.staticCiphertext(), s.ephemeralCiphertext(), s.mac()),
                s -> sh(s, flip(s.sessionId(), 15), s.nonce(), s.expiresAt(), s.maxMessages(), s.staticCiphertext(), s.ephemeralCiphertext(), s.mac()),
                s -> sh(s, s.sessionId(), flip(s.nonce(), 0), s.expiresAt(), s.maxMessages(), s.staticCiphertext(), s.ephemeralCiphertext(), s.mac()),
                s -> sh(s, s.sessionId(), flip(s.nonce(), 31), s.expiresAt(), s.maxMessages(), s.staticCiphertext(), s.ephemeralCiphertext(), s.mac()),
                s -> sh(s, s.sessionId(), s.nonce(), "2026-11-25T19:00:00.000Z", s.maxMessages(), s.staticCiphertext(), s.ephemeralCiphertext(), s.mac()),
                s -> sh(s, s.sessionId(), s.nonce(), "2026-11-24T19:00:00Z", s.maxMessages(), s.staticCiphertext(), s.ephemeralCiphertext(), s.mac()),
                s -> sh(s, s.sessionId(), s.nonce(), s.expiresAt(), s.maxMessages() + 1, s.staticCiphertext(), s.ephemeralCiphertext(), s.mac()),
                s -> sh(s, s.sessionId(), s.nonce(), s.expiresAt(), s.maxMessages(), flip(s.staticCiphertext(), 0), s.ephemeralCiphertext(), s.mac()),
                s -> sh(s, s.sessionId(), s.nonce(), s.expiresAt(), s.maxMessages(), flip(s.staticCiphertext(), 1087), s.ephemeralCiphertext(), s.mac()),
                s -> sh(s, s.sessionId(), s.nonce(), s.expiresAt(), s.maxMessages(), s.staticCiphertext(), flip(s.ephemeralCiphertext(), 0), s.mac()),
                s -> sh(s, s.sessionId(), s.nonce(), s.expiresAt(), s.maxMessages(), s.staticCiphertext(), flip(s.ephemeralCiphertext(), 1087), s.mac()),
                s -> sh(s, s.sessionId(), s.nonce(), s.expiresAt(), s.maxMessages(), s.staticCiphertext(), s.ephemeralCiphertext(), flip(s.mac(), 0)),
                s -> sh(s, s.sessionId(), s.nonce(), s.expiresAt(), s.maxMessages(), s.staticCiphertext(), s.ephemeralCiphertext(), flip(s.mac(), 31)),
                s -> new ServerHelloMessage("BP_MONITOR_002", s.gatewayId(), s.sessionId(), s.nonce(), s.expiresAt(), s.maxMessages(), s.staticCiphertext(), s.ephemeralCiphertext(), s.mac()),
                s -> new ServerHelloMessage(s.deviceId(), "GATEWAY_EU_2", s.sessionId(), s.nonce(), s.expiresAt(), s.maxMessages(), s.staticCiphertext(), s.ephemeralCiphertext(), s.mac()));
        for (UnaryOperator<ServerHelloMessage> tamper : tamperings) {
            DeviceHandshake device = start();
            PendingHandshake pending = respond(device.hello());
            ServerHelloMessage forged = tamper.apply(pending.serverHello());
            ProtocolException e = assertThrows(ProtocolException.class, () -> device.complete(forged));
            assertEquals(ErrorCode.HANDSHAKE_FAILED, e.code());
            assertThrows(IllegalStateException.class, device::finished);
        }
    }

    @Test
    void wrongGatewayStaticKeyFailsOnTheDevice() {
        MlKemKeyPair impostor = MlKemKeyPair.generate(RND);
        DeviceHandshake device = DeviceHandshake.start(DEVICE, GATEWAY_ID, GATEWAY_KEM.publicKey(), RND);
        // an impostor gateway answers with its own static key: it cannot decapsulate ctG
        PendingHandshake fake = GatewayHandshake.respond(device.hello(), GATEWAY_ID, impostor,
                DEVICE.kemKeyPair().publicKey(), NOW, TTL, 10, RND);
        assertEquals(ErrorCode.HANDSHAKE_FAILED,
                assertThrows(ProtocolException.class, () -> device.complete(fake.serverHello())).code());
        // and a device that pinned the wrong key fails against the real gateway
        DeviceHandshake misPinned = DeviceHandshake.start(DEVICE, GATEWAY_ID, impostor.publicKey(), RND);
        PendingHandshake real = respond(misPinned.hello());
        assertEquals(ErrorCode.HANDSHAKE_FAILED,
                assertThrows(ProtocolException.class, () -> misPinned.complete(real.serverHello())).code());
    }

    @Test
    void impostorDeviceWithoutTheStaticSecretFails() {
        DeviceIdentity impostor = DeviceIdentity.generate(ProtocolFixtures.DEVICE_ID, "bp-monitor", RND);
        DeviceHandshake device = DeviceHandshake.start(impostor, GATEWAY_ID, GATEWAY_KEM.publicKey(), RND);
        PendingHandshake pending = respond(device.hello()); // gateway encapsulates to the ENROLLED key
        assertEquals(ErrorCode.HANDSHAKE_FAILED,
                assertThrows(ProtocolException.class, () -> device.complete(pending.serverHello())).code());
    }

    @Test
    void gatewayRejectsOtherGatewayIdAndBadEphemeralKeys() {
        HelloMessage h = start().hello();
        HelloMessage otherGateway = new HelloMessage(h.deviceId(), "GATEWAY_US_1", h.suite(), h.nonce(),
                h.ephemeralKemPublicKey(), h.gatewayCiphertext());
        assertEquals(ErrorCode.MALFORMED_REQUEST, assertThrows(ProtocolException.class, () -> respond(otherGateway)).code());
        HelloMessage shortKey = new HelloMessage(h.deviceId(), h.gatewayId(), h.suite(), h.nonce(), new byte[1183],
                h.gatewayCiphertext());
        assertEquals(ErrorCode.INVALID_KEY, assertThrows(ProtocolException.class, () -> respond(shortKey)).code());
        HelloMessage modulus = new HelloMessage(h.deviceId(), h.gatewayId(), h.suite(), h.nonce(),
                VerifierTest.failingModulusCheck(h.ephemeralKemPublicKey()), h.gatewayCiphertext());
        assertEquals(ErrorCode.INVALID_KEY, assertThrows(ProtocolException.class, () -> respond(modulus)).code());
    }

    @Test
    void completeRunsOnceAndFinishedNeedsIt() {
        DeviceHandshake device = start();
        assertThrows(IllegalStateException.class, device::finished);
        PendingHandshake pending = respond(device.hello());
        device.complete(pending.serverHello());
        assertThrows(IllegalStateException.class, () -> device.complete(pending.serverHello()));
    }

    @Test
    void deviceSessionRefusesToExceedMaxMessages() {
        DeviceHandshake device = start();
        PendingHandshake pending = GatewayHandshake.respond(device.hello(), GATEWAY_ID, GATEWAY_KEM,
                DEVICE.kemKeyPair().publicKey(), NOW, TTL, 2, RND);
        DeviceSession session = device.complete(pending.serverHello());
        Reading r = new Reading("2026-11-23T19:00:05Z", Map.of("spo2", new BigDecimal("97")));
        session.seal(r);
        session.seal(r);
        assertEquals(ErrorCode.SESSION_EXPIRED, assertThrows(ProtocolException.class, () -> session.seal(r)).code());
        assertEquals(2, session.lastSeq());
        assertEquals(2, session.maxMessages());
    }

    @Test
    void secretsDoNotLeakThroughToString() {
        DeviceHandshake device = start();
        PendingHandshake pending = respond(device.hello());
        String text = pending + " " + pending.keys() + " " + device.complete(pending.serverHello()) + " " + device;
        assertFalse(text.contains(Base64s.encode(pending.keys().deviceToGateway().revealCopy())), text);
        assertTrue(pending.keys().toString().contains("redacted"));
    }

    @Test
    void gatewayKeyObjectsComeFromTheRecordBytes() {
        MlKemPublicKey fromBytes = MlKemPublicKey.fromBytes(GATEWAY_KEM.publicKey().toBytes());
        DeviceHandshake device = DeviceHandshake.start(DEVICE, GATEWAY_ID, fromBytes, RND);
        device.complete(respond(device.hello()).serverHello());
    }

    static byte[] flip(byte[] b, int index) {
        byte[] c = b.clone();
        c[index] ^= 0x01;
        return c;
    }

    private static ServerHelloMessage sh(ServerHelloMessage s, byte[] sessionId, byte[] nonce, String expiresAt,
                                         long maxMessages, byte[] ctS, byte[] ctE, byte[] mac) {
        return new ServerHelloMessage(s.deviceId(), s.gatewayId(), sessionId, nonce, expiresAt, maxMessages, ctS, ctE, mac);
    }
}
