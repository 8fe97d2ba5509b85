package org.iomtpq.gateway.protocol;

import static org.iomtpq.gateway.protocol.ProtocolFixtures.MAPPER;
import static org.iomtpq.gateway.protocol.ProtocolFixtures.edit;
import static org.iomtpq.gateway.protocol.ProtocolFixtures.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * "Absent and {@code null} are different" (PROTOCOL.md §3–§8), decided per field and per message type. Each field
 * is one of: required (absent or {@code null}: malformed), nullable (always written, {@code null} when unknown;
 * absent: malformed — e.g. {@code txHash}), or optional (omitted when it does not apply, never written as
 * {@code null}; {@code null}: malformed — §8's {@code inReplyTo} and {@code seq}).
 */
class AbsentVersusNullTest {
    private static final String HASH = "0x" + "ab".repeat(32);

    /** One message type: a sample with every field set, a sample with every nullable/optional field unset, its parser. */
    record Case(String type, String full, String empty, Function<byte[], ?> parser, Set<String> nullable,
                Set<String> optional) {
        @Override
        public String toString() {
            return type;
        }
    }

    static Stream<Case> messageTypes() {
        String address = "0x" + "12".repeat(20);
        byte[] gatewayKey = ProtocolFixtures.GATEWAY_KEM.publicKey().toBytes();
        return Stream.of(
                fixed("enroll", MessageCodec.toJson(ProtocolFixtures.sampleEnroll()), MessageCodec::parseEnroll),
                fixed("hello", MessageCodec.toJson(ProtocolFixtures.sampleHello()), MessageCodec::parseHello),
                fixed("server-hello", MessageCodec.toJson(ProtocolFixtures.sampleServerHello()), MessageCodec::parseServerHello),
                fixed("finished", MessageCodec.toJson(ProtocolFixtures.sampleFinished()), MessageCodec::parseFinished),
                fixed("established", MessageCodec.toJson(new EstablishedMessage("BP_MONITOR_001", random(16))),
                        MessageCodec::parseEstablished),
                fixed("telemetry", MessageCodec.toJson(ProtocolFixtures.sampleTelemetry()), MessageCodec::parseTelemetry),
                fixed("rotate", MessageCodec.toJson(ProtocolFixtures.sampleRotate()), MessageCodec::parseRotate),
                fixed("ack", MessageCodec.toJson(new AckMessage(3)), MessageCodec::parseAck),
                new Case("enrolled",
                        MessageCodec.toJson(new EnrolledMessage("BP_MONITOR_001", "PENDING_CHAIN", HASH, HASH, HASH)),
                        MessageCodec.toJson(new EnrolledMessage("BP_MONITOR_001", "PENDING_CHAIN", HASH, HASH, null)),
                        MessageCodec::parseEnrolled, Set.of("txHash"), Set.of()),
                new Case("rotation",
                        MessageCodec.toJson(new RotationMessage("BP_MONITOR_001", "PENDING_CHAIN", HASH, HASH)),
                        MessageCodec.toJson(new RotationMessage("BP_MONITOR_001", "PENDING_CHAIN", HASH, null)),
                        MessageCodec::parseRotation, Set.of("txHash"), Set.of()),
                new Case("gateway",
                        MessageCodec.toJson(new GatewayRecord("GATEWAY_EU_1", gatewayKey, HASH, address)),
                        MessageCodec.toJson(new GatewayRecord("GATEWAY_EU_1", gatewayKey, HASH, null)),
                        MessageCodec::parseGatewayRecord, Set.of("gatewayAddress"), Set.of()),
                new Case("error",
                        MessageCodec.toJson(new ErrorMessage(ErrorCode.REPLAY, "seen", "telemetry", 7L)),
                        MessageCodec.toJson(new ErrorMessage(ErrorCode.UNKNOWN_DEVICE, "no such device", null, null)),
                        MessageCodec::parseError, Set.of(), Set.of("inReplyTo", "seq")));
    }

    private static Case fixed(String type, String json, Function<byte[], ?> parser) {
        return new Case(type, json, json, parser, Set.of(), Set.of());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messageTypes")
    void unsetNullableFieldsAreWrittenAsNullAndOptionalOnesAreOmitted(Case c) throws Exception {
        JsonNode empty = MAPPER.readTree(c.empty());
        for (String field : c.nullable()) {
            assertTrue(empty.has(field) && empty.get(field).isNull(), c.type() + "." + field + " present as null: " + c.empty());
        }
        for (String field : c.optional()) {
            assertTrue(!empty.has(field), c.type() + "." + field + " omitted, not null: " + c.empty());
        }
        assertTrue(!c.empty().contains("null") || !c.nullable().isEmpty(), "only nullable fields may be null: " + c.empty());
        c.parser().apply(c.full().getBytes(java.nio.charset.StandardCharsets.UTF_8)); // both samples are valid
        c.parser().apply(c.empty().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messageTypes")
    void eachFieldIsRefusedWhenAbsentOrNullUnlessItsKindAllowsIt(Case c) throws Exception {
        for (String field : fieldsOf(c.full())) {
            boolean nullable = c.nullable().contains(field);
            boolean optional = c.optional().contains(field);
            byte[] absent = edit(c.full(), o -> o.remove(field));
            byte[] asNull = edit(c.full(), o -> o.putNull(field));
            if (optional) {
                c.parser().apply(absent);
            } else {
                assertMalformed(c, field + " absent", absent);
            }
            if (nullable) {
                c.parser().apply(asNull);
            } else {
                assertMalformed(c, field + " null", asNull);
            }
        }
    }

    private static List<String> fieldsOf(String json) throws Exception {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = MAPPER.readTree(json).fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    private static void assertMalformed(Case c, String what, byte[] body) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> c.parser().apply(body), c.type() + ": " + what);
        assertEquals(ErrorCode.MALFORMED_REQUEST, e.code(), c.type() + ": " + what);
    }
}
