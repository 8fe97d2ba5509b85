package org.iomtpq.gateway.protocol;

import static org.iomtpq.gateway.protocol.ProtocolFixtures.edit;
import static org.iomtpq.gateway.protocol.ProtocolFixtures.random;
import static org.iomtpq.gateway.protocol.ProtocolFixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The strict codec against every inbound message type: each rule of §0 checked per type. */
class MessageCodecStrictnessTest {

    /** One inbound type: a valid sample, its parser, and its base64 fields with decoded lengths. */
    record Case(String type, Supplier<String> json, Function<byte[], Object> parser,
                Map<String, Integer> binaryFields, Set<String> publicKeyFields) {
        @Override
        public String toString() {
            return type;
        }

        Object parse(byte[] body) {
            return parser.apply(body);
        }
    }

    static Stream<Case> inbound() {
        return Stream.of(
                new Case("enroll", () -> MessageCodec.toJson(ProtocolFixtures.sampleEnroll()), MessageCodec::parseEnroll,
                        Map.of("kemPublicKey", 1184, "sigPublicKey", 1952, "signature", 3309),
                        Set.of("kemPublicKey", "sigPublicKey")),
                new Case("hello", () -> MessageCodec.toJson(ProtocolFixtures.sampleHello()), MessageCodec::parseHello,
                        Map.of("nonce", 32, "ephemeralKemPublicKey", 1184, "gatewayCiphertext", 1088),
                        Set.of("ephemeralKemPublicKey")),
                new Case("finished", () -> MessageCodec.toJson(ProtocolFixtures.sampleFinished()),
                        MessageCodec::parseFinished, Map.of("sessionId", 16, "mac", 32), Set.of()),
                new Case("telemetry", () -> MessageCodec.toJson(ProtocolFixtures.sampleTelemetry()),
                        MessageCodec::parseTelemetry, Map.of("sessionId", 16), Set.of()),
                new Case("rotate", () -> MessageCodec.toJson(ProtocolFixtures.sampleRotate()), MessageCodec::parseRotate,
                        Map.of("kemPublicKey", 1184, "sigPublicKey", 1952, "signature", 3309, "newSignature", 3309),
                        Set.of("kemPublicKey", "sigPublicKey")));
    }

    static void assertMalformed(Case c, byte[] body) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> c.parse(body));
        assertEquals(ErrorCode.MALFORMED_REQUEST, e.code(), e.getMessage());
    }

    static void assertMalformed(Case c, byte[] body, String messageFragment) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> c.parse(body));
        assertEquals(ErrorCode.MALFORMED_REQUEST, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(messageFragment), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inbound")
    void validMessageRoundTripsExactly(Case c) {
        String json = c.json().get();
        Object parsed = c.parse(utf8(json));
        Object again = c.parse(utf8(json));
        assertEquals(parsed, again);
        assertEquals(parsed.hashCode(), again.hashCode());
        String rewritten = switch (c.type()) {
            case "enroll" -> MessageCodec.toJson((EnrollMessage) parsed);
            case "hello" -> MessageCodec.toJson((HelloMessage) parsed);
            case "finished" -> MessageCodec.toJson((FinishedMessage) parsed);
            case "telemetry" -> MessageCodec.toJson((TelemetryMessage) parsed);
            default -> MessageCodec.toJson((RotateMessage) parsed);
        };
        assertEquals(json, rewritten);
        assertTrue(json.startsWith("{\"type\":\"" + c.type() + "\",\"v\":1,"), json);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inbound")
    void fieldOrderAndWhitespaceDoNotMatter(Case c) {
        String json = c.json().get();
        byte[] reordered = edit(json, o -> {
            ObjectNode copy = o.deepCopy();
            o.removeAll();
            List<String> names = new ArrayList<>();
            copy.fieldNames().forEachRemaining(names::add);
            for (int i = names.size() - 1; i >= 0; i--) {
                o.set(names.get(i), copy.get(names.get(i)));
            }
        });
        assertEquals(c.parse(utf8(json)), c.parse(reordered));
        assertDoesNotThrow(() -> c.parse(utf8(" \n" + json.replace(",", ", ") + "\n ")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inbound")
    void unknownFieldIsMalformed(Case c) {
        assertMalformed(c, edit(c.json().get(), o -> o.put("extra", 1)), "unknown field");
        assertMalformed(c, edit(c.json().get(), o -> o.putNull("$where")), "unknown field");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inbound")
    void duplicateKeyIsMalformed(Case c) {
        String json = c.json().get();
        assertMalformed(c, utf8("{\"deviceId\":\"OTHER_DEVICE\"," + json.substring(1)), "duplicate");
        assertMalformed(c, utf8("{\"v\":1," + json.substring(1)), "duplicate");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inbound")
    void everyMissingFieldIsMalformed(Case c) {
        String json = c.json().get();
        List<String> names = new ArrayList<>();
        edit(json, o -> o.fieldNames().forEachRemaining(names::add));
        for (String name : names) {
            assertMalformed(c, edit(json, o -> o.remove(name)), "missing field '" + name + "'");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inbound")
    void wrongVersionOrTypeIsMalformed(Case c) {
        String json = c.json().get();
        assertMalformed(c, edit(json, o -> o.put("v", 2)), "version");
        assertMalformed(c, edit(json, o -> o.put("v", 0)), "version");
        assertMalformed(c, edit(json, o -> o.put("v", "1")));
        assertMalformed(c, edit(json, o -> o.put("v", 1.0)));
        assertMalformed(c, edit(json, o -> o.put("v", true)));
        assertMalformed(c, edit(json, o -> o.putNull("v")));
        assertMalformed(c, edit(json, o -> o.put("type", c.type().equals("hello") ? "finished" : "hello")), "type");
        assertMalformed(c, edit(json, o -> o.put("type", c.type().toUpperCase())), "type");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inbound")
    void wrongJsonTypesAreMalformed(Case c) {
        String json = c.json().get();
        List<String> names = new ArrayList<>();
        edit(json, o -> o.fieldNames().forEachRemaining(names::add));
        for (String name : names) {
            assertMalformed(c, edit(json, o -> o.putArray(name)));
            assertMalformed(c, edit(json, o -> o.putObject(name)));
            assertMalformed(c, edit(json, o -> o.put(name, false)));
            assertMalformed(c, edit(json, o -> o.putNull(name)));
        }
        // the NoSQL-operator shape of an injection attempt
        assertMalformed(c, edit(json, o -> o.putObject("deviceId").putNull("$ne")));
        assertMalformed(c, edit(json, o -> o.put("deviceId", 12345)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inbound")
    void notAnObjectOrTrailingContentIsMalformed(Case c) {
        String json = c.json().get();
        for (String body : List.of("", " ", "[]", "[" + json + "]", "\"hello\"", "null", "42", "{", json + "{}",
                json + " x", json + json, json.substring(0, json.length() - 1), "{'type':'x'}", "\uFEFF" + json)) {
            assertMalformed(c, utf8(body));
        }
        assertMalformed(c, null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inbound")
    void bodyOver64KiBIsTooLargeBeforeParsing(Case c) {
        byte[] garbage = new byte[70 * 1024];
        java.util.Arrays.fill(garbage, (byte) 'x');
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE,
                assertThrows(ProtocolException.class, () -> c.parse(garbage)).code());
        // a well-formed message padded with whitespace just past the limit is still too large
        String json = c.json().get();
        byte[] padded = utf8(json + " ".repeat(Limits.MAX_MESSAGE_BYTES + 1 - json.length()));
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE,
                assertThrows(ProtocolException.class, () -> c.parse(padded)).code());
        byte[] exactly = utf8(json + " ".repeat(Limits.MAX_MESSAGE_BYTES - json.length()));
        assertDoesNotThrow(() -> c.parse(exactly));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inbound")
    void invalidUtf8IsMalformed(Case c) {
        String json = c.json().get();
        int at = json.indexOf(ProtocolFixtures.DEVICE_ID) + 3;
        for (byte[] bad : List.of(new byte[] {(byte) 0xC3, 0x28}, new byte[] {(byte) 0xC0, (byte) 0xAF},
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xFF})) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(utf8(json.substring(0, at)));
            out.writeBytes(bad);
            out.writeBytes(utf8(json.substring(at)));
            assertMalformed(c, out.toByteArray(), "UTF-8");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inbound")
    void badDeviceIdIsMalformed(Case c) {
        String json = c.json().get();
        for (String id : List.of("", "ab", "_BP", "BP MONITOR", "BP/1/#", "x".repeat(65), "BP_MONITOR_ü", "BP\u0000X")) {
            assertMalformed(c, edit(json, o -> o.put("deviceId", id)), "deviceId");
        }
        assertDoesNotThrow(() -> c.parse(edit(json, o -> o.put("deviceId", "a" + "x".repeat(63)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inbound")
    void nonCanonicalBase64IsMalformedForEveryBinaryField(Case c) {
        String json = c.json().get();
        for (String field : c.binaryFields().keySet()) {
            String good = fieldValue(json, field);
            List<String> bad = new ArrayList<>();
            bad.add(good.substring(0, 4) + "\n" + good.substring(4));
            bad.add(good.substring(0, 4) + " " + good.substring(4));
            bad.add(good + "\n");
            bad.add("-_-_" + good.substring(4));
            bad.add(good.substring(0, good.length() - 4) + "====");
            if (good.endsWith("=")) {
                bad.add(good.replaceAll("=+$", ""));
                bad.add(withNonZeroPadBits(good));
            } else {
                bad.add(good + "=");
            }
            for (String value : bad) {
                assertMalformed(c, edit(json, o -> o.put(field, value)), field);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inbound")
    void wrongDecodedLengthIsMalformedExceptForPublicKeys(Case c) {
        String json = c.json().get();
        for (Map.Entry<String, Integer> f : c.binaryFields().entrySet()) {
            for (int length : new int[] {0, f.getValue() - 1, f.getValue() + 1}) {
                byte[] body = edit(json, o -> o.put(f.getKey(), Base64.getEncoder().encodeToString(random(length))));
                if (c.publicKeyFields().contains(f.getKey())) {
                    // accepted by the codec; the verifier reports INVALID_KEY after the timestamp check (§0, §4)
                    assertDoesNotThrow(() -> c.parse(body), f.getKey());
                } else {
                    assertMalformed(c, body, f.getKey());
                }
            }
        }
    }

    static String fieldValue(String json, String field) {
        String[] holder = new String[1];
        edit(json, o -> holder[0] = o.get(field).asText());
        return holder[0];
    }

    /** Same length and padding, but the last data character carries non-zero bits that decoding drops. */
    static String withNonZeroPadBits(String b64) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        int last = b64.indexOf('=') - 1;
        int v = alphabet.indexOf(b64.charAt(last));
        return b64.substring(0, last) + alphabet.charAt(v | 1) + b64.substring(last + 1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inbound")
    void padBitHelperReallyProducesAnAliasThatTheJdkWouldAccept(Case c) {
        // guards the test above: the alias decodes to the same bytes with a lenient decoder
        String json = c.json().get();
        for (String field : c.binaryFields().keySet()) {
            String good = fieldValue(json, field);
            if (good.endsWith("=")) {
                assertArrayEquals(Base64.getDecoder().decode(good), Base64.getDecoder().decode(withNonZeroPadBits(good)));
            }
        }
    }
}
