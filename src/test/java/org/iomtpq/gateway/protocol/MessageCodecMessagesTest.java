package org.iomtpq.gateway.protocol;

import static org.iomtpq.gateway.protocol.ProtocolFixtures.edit;
import static org.iomtpq.gateway.protocol.ProtocolFixtures.random;
import static org.iomtpq.gateway.protocol.ProtocolFixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import java.util.function.Function;
import org.iomtpq.gateway.crypto.Hashes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Type-specific codec rules and round trips of the gateway's answers (device-side parsers). */
class MessageCodecMessagesTest {
    private static final String HASH = "0x" + "ab".repeat(32);

    private static void assertCode(ErrorCode code, Executable e) {
        assertEquals(code, assertThrows(ProtocolException.class, e).code());
    }

    private static <T> void assertMalformed(Function<byte[], T> parser, byte[] body) {
        assertCode(ErrorCode.MALFORMED_REQUEST, () -> parser.apply(body));
    }

    @Test
    void telemetrySeqMustBeAnIntegerFromOneTo2Pow53Minus1() {
        String json = MessageCodec.toJson(ProtocolFixtures.sampleTelemetry());
        Function<byte[], TelemetryMessage> p = MessageCodec::parseTelemetry;
        assertMalformed(p, edit(json, o -> o.put("seq", 0)));
        assertMalformed(p, edit(json, o -> o.put("seq", -1)));
        assertMalformed(p, edit(json, o -> o.put("seq", "1")));
        assertMalformed(p, edit(json, o -> o.put("seq", 1.0)));
        assertMalformed(p, edit(json, o -> o.put("seq", 1L << 53)));
        assertMalformed(p, edit(json, o -> o.put("seq", new java.math.BigInteger("123456789012345678901234567890"))));
        assertMalformed(p, utf8(json.replace("\"seq\":7", "\"seq\":1e1")));
        assertMalformed(p, utf8(json.replace("\"seq\":7", "\"seq\":07")));
        assertMalformed(p, utf8(json.replace("\"seq\":7", "\"seq\":-0")));
        assertEquals(Limits.MAX_MESSAGES_CAP, p.apply(edit(json, o -> o.put("seq", Limits.MAX_MESSAGES_CAP))).seq());
    }

    @Test
    void telemetryCiphertextMustHoldAtLeastATag() {
        String json = MessageCodec.toJson(ProtocolFixtures.sampleTelemetry());
        assertMalformed(MessageCodec::parseTelemetry, edit(json, o -> o.put("ciphertext", Base64s.encode(random(15)))));
        assertEquals(16, MessageCodec.parseTelemetry(edit(json, o -> o.put("ciphertext", Base64s.encode(random(16)))))
                .ciphertext().length);
    }

    @Test
    void helloWithAnotherSuiteIsMalformed() {
        String json = MessageCodec.toJson(ProtocolFixtures.sampleHello());
        assertMalformed(MessageCodec::parseHello, edit(json, o -> o.put("suite", "MLKEM512-MLDSA44-AES128GCM-SHA256")));
        assertMalformed(MessageCodec::parseHello, edit(json, o -> o.put("suite", Labels.SUITE.toLowerCase())));
        assertMalformed(MessageCodec::parseHello, edit(json, o -> o.put("gatewayId", "no spaces allowed")));
    }

    @Test
    void enrollChecksDeviceTypeAndTimestampShape() {
        String json = MessageCodec.toJson(ProtocolFixtures.sampleEnroll());
        assertMalformed(MessageCodec::parseEnroll, edit(json, o -> o.put("deviceType", "BP-Monitor")));
        assertMalformed(MessageCodec::parseEnroll, edit(json, o -> o.put("deviceType", "")));
        for (String ts : new String[] {"2026-11-23 19:00:00Z", "2026-11-23T19:00:00+00:00", "2026-11-23T19:00:00",
                "2026-13-23T19:00:00Z", "2026-11-23T19:00:00.1234567890Z", "1700000000"}) {
            assertMalformed(MessageCodec::parseEnroll, edit(json, o -> o.put("timestamp", ts)));
        }
        // a stale but well-formed timestamp passes the codec: STALE_REQUEST is the verifier's business
        MessageCodec.parseEnroll(edit(json, o -> o.put("timestamp", "1999-01-01T00:00:00.123456789Z")));
    }

    @Test
    void serverHelloRoundTripAndMaxMessagesRange() {
        ServerHelloMessage sh = ProtocolFixtures.sampleServerHello();
        String json = MessageCodec.toJson(sh);
        assertEquals(sh, MessageCodec.parseServerHello(utf8(json)));
        assertTrue(json.contains("\"maxMessages\":1000000"), json);
        assertMalformed(MessageCodec::parseServerHello, edit(json, o -> o.put("maxMessages", 0)));
        assertMalformed(MessageCodec::parseServerHello, edit(json, o -> o.put("maxMessages", 1L << 53)));
        assertMalformed(MessageCodec::parseServerHello, edit(json, o -> o.put("maxMessages", "1000000")));
        assertMalformed(MessageCodec::parseServerHello, edit(json, o -> o.put("staticCiphertext", Base64s.encode(random(1184)))));
        assertMalformed(MessageCodec::parseServerHello, edit(json, o -> o.put("mac", Base64s.encode(random(31)))));
    }

    @Test
    void establishedRoundTrip() {
        EstablishedMessage m = new EstablishedMessage("BP_MONITOR_001", random(16));
        String json = MessageCodec.toJson(m);
        assertEquals("{\"type\":\"established\",\"v\":1,\"deviceId\":\"BP_MONITOR_001\",\"sessionId\":\""
                + Base64s.encode(m.sessionId()) + "\"}", json);
        assertEquals(m, MessageCodec.parseEstablished(utf8(json)));
    }

    @Test
    void enrolledRoundTripWritesNullTxHash() {
        EnrolledMessage m = new EnrolledMessage("BP_MONITOR_001", "PENDING_CHAIN", HASH, HASH, null);
        String json = MessageCodec.toJson(m);
        assertEquals("{\"type\":\"enrolled\",\"v\":1,\"deviceId\":\"BP_MONITOR_001\",\"status\":\"PENDING_CHAIN\","
                + "\"deviceIdHash\":\"" + HASH + "\",\"keyCommitment\":\"" + HASH + "\",\"txHash\":null}", json);
        assertEquals(m, MessageCodec.parseEnrolled(utf8(json)));
        EnrolledMessage mined = new EnrolledMessage("BP_MONITOR_001", "ACTIVE", HASH, HASH, HASH);
        assertEquals(mined, MessageCodec.parseEnrolled(utf8(MessageCodec.toJson(mined))));
        assertMalformed(MessageCodec::parseEnrolled, edit(json, o -> o.remove("txHash")));
        assertMalformed(MessageCodec::parseEnrolled, edit(json, o -> o.put("status", "HAPPY")));
        assertMalformed(MessageCodec::parseEnrolled, edit(json, o -> o.put("keyCommitment", HASH.toUpperCase())));
        assertMalformed(MessageCodec::parseEnrolled, edit(json, o -> o.put("deviceIdHash", "ab".repeat(32))));
    }

    @Test
    void rotationRoundTrip() {
        RotationMessage m = new RotationMessage("BP_MONITOR_001", "PENDING_CHAIN", HASH, null);
        assertEquals(m, MessageCodec.parseRotation(utf8(MessageCodec.toJson(m))));
        RotationMessage active = new RotationMessage("BP_MONITOR_001", "ACTIVE", HASH, HASH);
        assertEquals(active, MessageCodec.parseRotation(utf8(MessageCodec.toJson(active))));
        assertMalformed(MessageCodec::parseRotation, edit(MessageCodec.toJson(m), o -> o.put("status", "REVOKED")));
    }

    @Test
    void errorRoundTripWithAndWithoutSeq() {
        ErrorMessage replay = new ErrorMessage(ErrorCode.REPLAY, "seq already received", "telemetry", 7L);
        String json = MessageCodec.toJson(replay);
        assertEquals("{\"type\":\"error\",\"v\":1,\"code\":\"REPLAY\",\"message\":\"seq already received\","
                + "\"inReplyTo\":\"telemetry\",\"seq\":7}", json);
        assertEquals(replay, MessageCodec.parseError(utf8(json)));
        ErrorMessage operator = new ErrorMessage(ErrorCode.UNAUTHORIZED, "missing token", null, null);
        String opJson = MessageCodec.toJson(operator);
        assertFalse(opJson.contains("seq"), opJson);
        assertEquals(operator, MessageCodec.parseError(utf8(opJson)));
        assertEquals(operator, MessageCodec.parseError(edit(opJson, o -> o.remove("inReplyTo"))));
        assertMalformed(MessageCodec::parseError, edit(json, o -> o.put("code", "TEAPOT")));
        assertMalformed(MessageCodec::parseError, edit(json, o -> o.put("inReplyTo", "registration")));
    }

    @Test
    void errorMessageFromException() {
        ProtocolException e = ProtocolException.decryptFailed("tag mismatch").withSeq(9);
        ErrorMessage m = ErrorMessage.of(e, Step.TELEMETRY);
        assertEquals(new ErrorMessage(ErrorCode.DECRYPT_FAILED, "tag mismatch", "telemetry", 9L), m);
    }

    @Test
    void gatewayRecordRoundTripAndKeyHash() {
        byte[] pk = ProtocolFixtures.GATEWAY_KEM.publicKey().toBytes();
        String hash = Hex0x.encode(Hashes.keccak256(pk));
        GatewayRecord r = new GatewayRecord("GATEWAY_EU_1", pk, hash, "0x" + "00".repeat(20));
        assertEquals(r, GatewayRecord.of("GATEWAY_EU_1", ProtocolFixtures.GATEWAY_KEM.publicKey(), "0x" + "00".repeat(20)));
        assertEquals(ProtocolFixtures.GATEWAY_KEM.publicKey(), r.kemKey());
        GatewayRecord parsed = MessageCodec.parseGatewayRecord(utf8(MessageCodec.toJson(r)));
        assertEquals(r, parsed);
        assertTrue(parsed.kemKeyHashMatches());
        assertFalse(new GatewayRecord("GATEWAY_EU_1", pk, HASH, null).kemKeyHashMatches());
        GatewayRecord noAddress = new GatewayRecord("GATEWAY_EU_1", pk, hash, null);
        assertNull(MessageCodec.parseGatewayRecord(utf8(MessageCodec.toJson(noAddress))).gatewayAddress());
        assertMalformed(MessageCodec::parseGatewayRecord,
                edit(MessageCodec.toJson(r), o -> o.put("gatewayAddress", "0x" + "AB".repeat(20))));
        assertCode(ErrorCode.INVALID_KEY, () -> MessageCodec.parseGatewayRecord(
                edit(MessageCodec.toJson(r), o -> o.put("kemPublicKey", Base64s.encode(random(100))))));
    }

    @Test
    void ackRoundTrip() {
        assertEquals("{\"type\":\"ack\",\"v\":1,\"seq\":3}", MessageCodec.toJson(new AckMessage(3)));
        assertEquals(new AckMessage(3), MessageCodec.parseAck(utf8("{\"v\":1,\"seq\":3,\"type\":\"ack\"}")));
    }

    @Test
    void peekTypeAndSeqAreBestEffortAndNeverThrow() {
        String json = MessageCodec.toJson(ProtocolFixtures.sampleTelemetry());
        assertEquals("telemetry", MessageCodec.peekType(utf8(json)));
        assertEquals(OptionalLong.of(7), MessageCodec.peekSeq(utf8(json)));
        // readable even when the message as a whole is not valid
        byte[] unknownField = edit(json, o -> o.putObject("extra").put("seq", 99));
        assertEquals(OptionalLong.of(7), MessageCodec.peekSeq(unknownField));
        assertEquals("telemetry", MessageCodec.peekType(edit(json, o -> o.put("v", 9))));
        assertEquals(OptionalLong.empty(), MessageCodec.peekSeq(edit(json, o -> o.put("seq", "7"))));
        assertEquals(OptionalLong.empty(), MessageCodec.peekSeq(edit(json, o -> o.put("seq", -7))));
        for (byte[] junk : new byte[][] {null, new byte[0], utf8("[1]"), utf8("{\"type\":"), new byte[] {(byte) 0xFF},
                new byte[Limits.MAX_MESSAGE_BYTES + 1]}) {
            assertNull(MessageCodec.peekType(junk));
            assertEquals(OptionalLong.empty(), MessageCodec.peekSeq(junk));
        }
        assertNull(MessageCodec.peekType(utf8("{\"type\":{\"a\":1}}")));
    }

    @Test
    void errorCodesMatchTheTable() {
        assertEquals(19, ErrorCode.values().length);
        assertEquals(400, ErrorCode.MALFORMED_REQUEST.httpStatus());
        assertEquals(413, ErrorCode.PAYLOAD_TOO_LARGE.httpStatus());
        assertEquals(422, ErrorCode.VALIDATION_FAILED.httpStatus());
        assertEquals(429, ErrorCode.RATE_LIMITED.httpStatus());
        assertEquals(503, ErrorCode.UNAVAILABLE.httpStatus());
        assertEquals(401, ErrorCode.SESSION_EXPIRED.httpStatus());
        assertEquals(403, ErrorCode.DEVICE_REVOKED.httpStatus());
        assertEquals(409, ErrorCode.REPLAY.httpStatus());
        assertEquals(ErrorCode.REPLAY, ErrorCode.fromWire("REPLAY").orElseThrow());
        assertTrue(ErrorCode.fromWire("replay").isEmpty());
        assertEquals(Step.HELLO, Step.fromWire("hello").orElseThrow());
        assertTrue(Step.fromWire("server-hello").isEmpty());
    }
}
