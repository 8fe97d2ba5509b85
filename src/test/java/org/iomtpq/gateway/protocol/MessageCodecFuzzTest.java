package org.iomtpq.gateway.protocol;

import static org.iomtpq.gateway.protocol.ErrorCode.INVALID_KEY;
import static org.iomtpq.gateway.protocol.ErrorCode.MALFORMED_REQUEST;
import static org.iomtpq.gateway.protocol.ErrorCode.PAYLOAD_TOO_LARGE;
import static org.iomtpq.gateway.testsupport.FuzzOracle.codes;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import org.iomtpq.gateway.testsupport.FuzzOracle;
import org.iomtpq.gateway.testsupport.FuzzOracle.Outcome;

/**
 * Fuzz targets for {@link MessageCodec}: every parser of §3–§8, the gateway's (enroll, hello, finished, telemetry,
 * rotate) and the device's (server-hello, established, enrolled, rotation, error, gateway, ack), and the two peeks.
 * Only {@code MALFORMED_REQUEST}, {@code PAYLOAD_TOO_LARGE} and, for the gateway record's key, {@code INVALID_KEY} may
 * come out; allocations stay within {@link FuzzOracle}'s bounds; whatever is accepted writes back to JSON that parses
 * to the same message. Seeds: {@code MessageCodecFuzzTestInputs/<method>/} (FuzzCorpusWriter).
 */
class MessageCodecFuzzTest {

    /** One parser with its writer and the codes it may refuse with. */
    record Codec(String type, Function<byte[], Object> parse, Function<Object, String> write, Set<ErrorCode> allowed) {
        String roundTrip(Object parsed) {
            return write.apply(parsed);
        }
    }

    static final Set<ErrorCode> SHAPE = codes(MALFORMED_REQUEST, PAYLOAD_TOO_LARGE);
    static final Set<ErrorCode> SHAPE_OR_KEY = codes(MALFORMED_REQUEST, PAYLOAD_TOO_LARGE, INVALID_KEY);

    static final List<Codec> CODECS = List.of(
            new Codec("enroll", MessageCodec::parseEnroll, m -> MessageCodec.toJson((EnrollMessage) m), SHAPE),
            new Codec("hello", MessageCodec::parseHello, m -> MessageCodec.toJson((HelloMessage) m), SHAPE),
            new Codec("finished", MessageCodec::parseFinished, m -> MessageCodec.toJson((FinishedMessage) m), SHAPE),
            new Codec("telemetry", MessageCodec::parseTelemetry, m -> MessageCodec.toJson((TelemetryMessage) m), SHAPE),
            new Codec("rotate", MessageCodec::parseRotate, m -> MessageCodec.toJson((RotateMessage) m), SHAPE),
            new Codec("server-hello", MessageCodec::parseServerHello,
                    m -> MessageCodec.toJson((ServerHelloMessage) m), SHAPE),
            new Codec("established", MessageCodec::parseEstablished,
                    m -> MessageCodec.toJson((EstablishedMessage) m), SHAPE),
            new Codec("enrolled", MessageCodec::parseEnrolled, m -> MessageCodec.toJson((EnrolledMessage) m), SHAPE),
            new Codec("rotation", MessageCodec::parseRotation, m -> MessageCodec.toJson((RotationMessage) m), SHAPE),
            new Codec("error", MessageCodec::parseError, m -> MessageCodec.toJson((ErrorMessage) m), SHAPE),
            new Codec("gateway", MessageCodec::parseGatewayRecord, m -> MessageCodec.toJson((GatewayRecord) m),
                    SHAPE_OR_KEY),
            new Codec("ack", MessageCodec::parseAck, m -> MessageCodec.toJson((AckMessage) m), SHAPE));

    static final Map<String, Codec> BY_TYPE = new LinkedHashMap<>();

    static {
        CODECS.forEach(c -> BY_TYPE.put(c.type(), c));
    }

    /**
     * Raw bytes from the wire. The parser is the one the bytes' own {@code type} names (a parser given another type
     * stops at the type check, so trying all twelve would find nothing more), or one picked by length when the type
     * cannot be read. The same bytes padded with JSON whitespace beyond 64 KiB must be refused as
     * {@code PAYLOAD_TOO_LARGE} before anything is decoded, however valid they were.
     */
    @FuzzTest(maxDuration = "2m")
    @DictionaryEntries({"\"type\"", "\"v\":1", "\"deviceId\"", "\"gatewayId\"", "\"sessionId\"", "\"seq\"",
        "\"ciphertext\"", "\"kemPublicKey\"", "\"sigPublicKey\"", "\"signature\"", "\"newSignature\"", "\"timestamp\"",
        "\"nonce\"", "\"mac\"", "\"suite\"", "\"MLKEM768-MLDSA65-AES256GCM-SHA256\"", "\"status\"", "\"txHash\"",
        "\"code\"", "\"inReplyTo\"", "\"message\"", "\"maxMessages\"", "\"expiresAt\"", "null", "true", "1e999999999",
        "9007199254740991", "9007199254740992", "\\u0000", "\\ud800", "\"0x", "==", "2026-11-23T19:00:00Z"})
    void rawMessage(byte[] data) {
        Outcome<String> type = FuzzOracle.call("peekType", data.length, Set.of(), () -> MessageCodec.peekType(data));
        Outcome<OptionalLong> seq = FuzzOracle.call("peekSeq", data.length, Set.of(), () -> MessageCodec.peekSeq(data));
        if (seq.value().isPresent() && (seq.value().getAsLong() < 0 || seq.value().getAsLong() > Limits.MAX_MESSAGES_CAP)) {
            throw new AssertionError("peekSeq outside [0, 2^53-1]: " + seq.value());
        }
        Codec codec = BY_TYPE.getOrDefault(type.value(), CODECS.get(data.length % CODECS.size()));
        Outcome<Object> parsed = FuzzOracle.call(codec.type(), data.length, codec.allowed(), () -> codec.parse().apply(data));
        if (parsed.accepted()) {
            if (!codec.type().equals(type.value())) {
                throw new AssertionError(codec.type() + " accepted a body whose type peeks as " + type.value());
            }
            requireStableRoundTrip(codec, parsed.value());
        }

        byte[] oversize = FuzzOracle.paddedBeyondBound(data, data.length % 7);
        Outcome<Object> big = FuzzOracle.call(codec.type() + " (oversize)", oversize.length, SHAPE,
                () -> codec.parse().apply(oversize));
        if (big.accepted() || big.code() != PAYLOAD_TOO_LARGE) {
            throw new AssertionError(codec.type() + " on " + oversize.length + " bytes: " + big.code());
        }
        if (MessageCodec.peekType(oversize) != null || MessageCodec.peekSeq(oversize).isPresent()) {
            throw new AssertionError("a peek read a body over 64 KiB");
        }
    }

    /**
     * Nearly valid JSON of each message type built from the fuzzer's choices ({@link NearlyValidJson}): wrong JSON
     * types, null versus absent, huge and fractional numbers, duplicate and unknown keys, unicode escapes, deep
     * nesting, non-canonical base64, near-miss identifiers and timestamps. What is certainly wrong (a missing or
     * duplicate field, a wrong JSON type, trailing content) must be refused; what is certainly valid (every field
     * valid, possibly written with escapes) must be accepted and equal the plainly written message.
     */
    @FuzzTest(maxDuration = "2m")
    void structuredMessage(FuzzedDataProvider fuzz) {
        Codec codec = CODECS.get(fuzz.consumeInt(0, CODECS.size() - 1));
        NearlyValidJson.Built built = NearlyValidJson.build(codec.type(), fuzz);
        byte[] sent = built.sent().getBytes(StandardCharsets.UTF_8);
        Outcome<Object> parsed = FuzzOracle.call(codec.type(), sent.length, codec.allowed(),
                () -> codec.parse().apply(sent));
        if (built.mustRefuse() && parsed.accepted()) {
            throw new AssertionError(codec.type() + " accepted what it must refuse (" + built.why() + "): "
                    + abbreviate(built.sent()));
        }
        if (sent.length > Limits.MAX_MESSAGE_BYTES) { // escapes take six bytes a character: valid, but too large
            if (parsed.code() != PAYLOAD_TOO_LARGE) {
                throw new AssertionError(codec.type() + " on " + sent.length + " bytes: " + parsed.code());
            }
        } else if (built.mustAccept()) {
            if (!parsed.accepted()) {
                throw new AssertionError(codec.type() + " refused a valid message with " + parsed.code() + " ("
                        + parsed.refusal().getMessage() + "): " + abbreviate(built.sent()));
            }
            Object plain = codec.parse().apply(built.plain().getBytes(StandardCharsets.UTF_8));
            if (!codec.roundTrip(plain).equals(codec.roundTrip(parsed.value()))) {
                throw new AssertionError(codec.type() + ": escaped and plain forms parse differently: "
                        + abbreviate(built.sent()));
            }
        }
        if (parsed.accepted()) {
            requireStableRoundTrip(codec, parsed.value());
        }
        if (built.typeIntact()) {
            Codec other = CODECS.get((CODECS.indexOf(codec) + 1 + fuzz.consumeInt(0, CODECS.size() - 2)) % CODECS.size());
            Outcome<Object> wrong = FuzzOracle.call(other.type(), sent.length, other.allowed(),
                    () -> other.parse().apply(sent));
            if (wrong.accepted()) {
                throw new AssertionError(other.type() + " accepted a " + codec.type() + ": " + abbreviate(built.sent()));
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 2000 ? s : s.substring(0, 2000) + "... (" + s.length() + " characters)";
    }

    /** What the codec accepted writes back to JSON that it accepts again, unchanged. */
    private static void requireStableRoundTrip(Codec codec, Object parsed) {
        String once = codec.roundTrip(parsed);
        Object again = codec.parse().apply(once.getBytes(StandardCharsets.UTF_8));
        String twice = codec.roundTrip(again);
        if (!once.equals(twice)) {
            throw new AssertionError(codec.type() + " round trip changed the message:\n" + once + "\n" + twice);
        }
    }
}
