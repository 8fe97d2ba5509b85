package org.iomtpq.gateway.protocol;

import static org.iomtpq.gateway.protocol.ErrorCode.INVALID_KEY;
import static org.iomtpq.gateway.protocol.ErrorCode.MALFORMED_REQUEST;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.OptionalLong;
import java.util.Set;
import org.iomtpq.gateway.crypto.MlDsa;
import org.iomtpq.gateway.crypto.MlKem;

/**
 * Strict JSON codec for every message of §3–§8.
 *
 * <p>Parsers reject, with {@code MALFORMED_REQUEST}: non-objects, trailing content, unknown, duplicate or
 * missing fields, wrong JSON types, a wrong {@code type} or {@code v}, another suite, identifiers that fail
 * §2, non-canonical base64 and wrong decoded lengths. Public-key fields are the exception (§0): they are
 * only required to be canonical base64 here and their length is left to the verifiers, which report
 * {@code INVALID_KEY} after the timestamp check. Oversize input is {@code PAYLOAD_TOO_LARGE}, decided
 * before any parsing. Writers emit exactly the spec's field names, {@code "v":1} as a number.
 */
public final class MessageCodec {
    private static final int NONCE_BYTES = 32;
    private static final int SESSION_ID_BYTES = 16;
    private static final int MAC_BYTES = 32;
    private static final int GCM_TAG_BYTES = 16;
    private static final Set<String> NONE = Set.of();
    private static final Set<String> DEVICE_STATUSES = Set.of("PENDING_CHAIN", "ACTIVE", "REVOKED", "REGISTRATION_FAILED");
    private static final Set<String> ROTATION_STATUSES = Set.of("PENDING_CHAIN", "ACTIVE");

    private MessageCodec() {
    }

    // ---- gateway side: requests from devices ----

    public static EnrollMessage parseEnroll(byte[] json) {
        FlatJsonObject o = open(json, "enroll", Set.of("deviceId", "deviceType", "kemPublicKey", "sigPublicKey",
                "timestamp", "signature"), NONE);
        return new EnrollMessage(deviceId(o), Identifiers.requireDeviceType(o.string("deviceType")),
                publicKey(o, "kemPublicKey"), publicKey(o, "sigPublicKey"), o.timestamp("timestamp"),
                o.base64("signature", MlDsa.SIGNATURE_BYTES, MALFORMED_REQUEST));
    }

    public static HelloMessage parseHello(byte[] json) {
        FlatJsonObject o = open(json, "hello", Set.of("deviceId", "gatewayId", "suite", "nonce",
                "ephemeralKemPublicKey", "gatewayCiphertext"), NONE);
        String deviceId = deviceId(o);
        String gatewayId = Identifiers.requireGatewayId(o.string("gatewayId"));
        if (!Labels.SUITE.equals(o.string("suite"))) {
            throw ProtocolException.malformed("unsupported suite (only " + Labels.SUITE + ")");
        }
        return new HelloMessage(deviceId, gatewayId, Labels.SUITE, o.base64("nonce", NONCE_BYTES, MALFORMED_REQUEST),
                publicKey(o, "ephemeralKemPublicKey"),
                o.base64("gatewayCiphertext", MlKem.CIPHERTEXT_BYTES, MALFORMED_REQUEST));
    }

    public static FinishedMessage parseFinished(byte[] json) {
        FlatJsonObject o = open(json, "finished", Set.of("deviceId", "sessionId", "mac"), NONE);
        return new FinishedMessage(deviceId(o), sessionId(o), o.base64("mac", MAC_BYTES, MALFORMED_REQUEST));
    }

    public static TelemetryMessage parseTelemetry(byte[] json) {
        FlatJsonObject o = open(json, "telemetry", Set.of("deviceId", "sessionId", "seq", "ciphertext"), NONE);
        return new TelemetryMessage(deviceId(o), sessionId(o), o.integer("seq", 1, Limits.MAX_MESSAGES_CAP),
                o.base64AtLeast("ciphertext", GCM_TAG_BYTES));
    }

    public static RotateMessage parseRotate(byte[] json) {
        FlatJsonObject o = open(json, "rotate", Set.of("deviceId", "kemPublicKey", "sigPublicKey", "timestamp",
                "signature", "newSignature"), NONE);
        return new RotateMessage(deviceId(o), publicKey(o, "kemPublicKey"), publicKey(o, "sigPublicKey"),
                o.timestamp("timestamp"), o.base64("signature", MlDsa.SIGNATURE_BYTES, MALFORMED_REQUEST),
                o.base64("newSignature", MlDsa.SIGNATURE_BYTES, MALFORMED_REQUEST));
    }

    // ---- device side: answers from the gateway ----

    public static ServerHelloMessage parseServerHello(byte[] json) {
        FlatJsonObject o = open(json, "server-hello", Set.of("deviceId", "gatewayId", "sessionId", "nonce",
                "expiresAt", "maxMessages", "staticCiphertext", "ephemeralCiphertext", "mac"), NONE);
        return new ServerHelloMessage(deviceId(o), Identifiers.requireGatewayId(o.string("gatewayId")), sessionId(o),
                o.base64("nonce", NONCE_BYTES, MALFORMED_REQUEST), o.timestamp("expiresAt"),
                o.integer("maxMessages", 1, Limits.MAX_MESSAGES_CAP),
                o.base64("staticCiphertext", MlKem.CIPHERTEXT_BYTES, MALFORMED_REQUEST),
                o.base64("ephemeralCiphertext", MlKem.CIPHERTEXT_BYTES, MALFORMED_REQUEST),
                o.base64("mac", MAC_BYTES, MALFORMED_REQUEST));
    }

    public static EstablishedMessage parseEstablished(byte[] json) {
        FlatJsonObject o = open(json, "established", Set.of("deviceId", "sessionId"), NONE);
        return new EstablishedMessage(deviceId(o), sessionId(o));
    }

    public static EnrolledMessage parseEnrolled(byte[] json) {
        FlatJsonObject o = open(json, "enrolled", Set.of("deviceId", "status", "deviceIdHash", "keyCommitment",
                "txHash"), NONE);
        return new EnrolledMessage(deviceId(o), status(o, DEVICE_STATUSES), o.hash32("deviceIdHash"),
                o.hash32("keyCommitment"), o.nullableHash32("txHash"));
    }

    public static RotationMessage parseRotation(byte[] json) {
        FlatJsonObject o = open(json, "rotation", Set.of("deviceId", "status", "keyCommitment", "txHash"), NONE);
        return new RotationMessage(deviceId(o), status(o, ROTATION_STATUSES), o.hash32("keyCommitment"),
                o.nullableHash32("txHash"));
    }

    /**
     * {@code inReplyTo} and {@code seq} are omitted when they do not apply (§8: "absent, not {@code null}"), so a
     * present one must hold a value; {@code null} in either is malformed.
     */
    public static ErrorMessage parseError(byte[] json) {
        FlatJsonObject o = open(json, "error", Set.of("code", "message"), Set.of("inReplyTo", "seq"));
        ErrorCode code = ErrorCode.fromWire(o.string("code"))
                .orElseThrow(() -> ProtocolException.malformed("unknown error code"));
        String inReplyTo = o.optionalString("inReplyTo");
        if (inReplyTo != null && Step.fromWire(inReplyTo).isEmpty()) {
            throw ProtocolException.malformed("inReplyTo is not a protocol step");
        }
        return new ErrorMessage(code, o.string("message"), inReplyTo,
                o.optionalInteger("seq", 0, Limits.MAX_MESSAGES_CAP));
    }

    /** {@code gatewayAddress} is a lowercase 0x address or null; the key is left raw for the device to check. */
    public static GatewayRecord parseGatewayRecord(byte[] json) {
        FlatJsonObject o = open(json, "gateway", Set.of("gatewayId", "kemPublicKey", "kemKeyHash",
                "gatewayAddress"), NONE);
        String address = o.nullableString("gatewayAddress");
        if (address != null && !Hex0x.isAddress(address)) {
            throw ProtocolException.malformed("gatewayAddress must be 0x followed by 40 lowercase hex digits");
        }
        return new GatewayRecord(Identifiers.requireGatewayId(o.string("gatewayId")),
                o.base64("kemPublicKey", MlKem.PUBLIC_KEY_BYTES, INVALID_KEY), o.hash32("kemKeyHash"), address);
    }

    public static AckMessage parseAck(byte[] json) {
        FlatJsonObject o = open(json, "ack", Set.of("seq"), NONE);
        return new AckMessage(o.integer("seq", 1, Limits.MAX_MESSAGES_CAP));
    }

    // ---- best-effort peeks, for routing and for the §8 "seq" of an error ----

    /** The top-level {@code type} string, or {@code null} when it cannot be read. Never throws. */
    public static String peekType(byte[] json) {
        try (JsonParser p = peekParser(json)) {
            if (p != null && seekTopLevel(p, "type") == JsonToken.VALUE_STRING) {
                return p.getText();
            }
        } catch (IOException | RuntimeException e) {
            // best effort: a body we cannot read has no type
        }
        return null;
    }

    /** The top-level {@code seq} when it is a JSON integer in [0, 2^53-1]; empty otherwise. Never throws. */
    public static OptionalLong peekSeq(byte[] json) {
        try (JsonParser p = peekParser(json)) {
            if (p != null && seekTopLevel(p, "seq") == JsonToken.VALUE_NUMBER_INT) {
                BigInteger v = p.getBigIntegerValue();
                if (v.signum() >= 0 && v.bitLength() <= 53) {
                    return OptionalLong.of(v.longValue());
                }
            }
        } catch (IOException | RuntimeException e) {
            // best effort
        }
        return OptionalLong.empty();
    }

    // ---- writers ----

    public static String toJson(EnrollMessage m) { return JsonWriter.write(m); }
    public static String toJson(HelloMessage m) { return JsonWriter.write(m); }
    public static String toJson(ServerHelloMessage m) { return JsonWriter.write(m); }
    public static String toJson(FinishedMessage m) { return JsonWriter.write(m); }
    public static String toJson(EstablishedMessage m) { return JsonWriter.write(m); }
    public static String toJson(TelemetryMessage m) { return JsonWriter.write(m); }
    public static String toJson(RotateMessage m) { return JsonWriter.write(m); }
    public static String toJson(EnrolledMessage m) { return JsonWriter.write(m); }
    public static String toJson(RotationMessage m) { return JsonWriter.write(m); }
    public static String toJson(ErrorMessage m) { return JsonWriter.write(m); }
    public static String toJson(GatewayRecord m) { return JsonWriter.write(m); }
    public static String toJson(AckMessage m) { return JsonWriter.write(m); }

    // ---- helpers ----

    private static FlatJsonObject open(byte[] json, String type, Set<String> fields, Set<String> optional) {
        FlatJsonObject o = FlatJsonObject.parse(json);
        // type and v first, so a message sent to the wrong endpoint says so rather than "unknown field".
        if (!o.has("type") || !o.has("v")) {
            throw ProtocolException.malformed("missing field '" + (o.has("type") ? "v" : "type") + "'");
        }
        o.requireTypeAndVersion(type);
        Set<String> all = new HashSet<>(fields);
        all.add("type");
        all.add("v");
        return o.requireFields(all, optional);
    }

    private static String deviceId(FlatJsonObject o) {
        return Identifiers.requireDeviceId(o.string("deviceId"));
    }

    private static byte[] sessionId(FlatJsonObject o) {
        return o.base64("sessionId", SESSION_ID_BYTES, MALFORMED_REQUEST);
    }

    /** Canonical base64 only: the length and the FIPS 203 check come later, as INVALID_KEY (§0, §4). */
    private static byte[] publicKey(FlatJsonObject o, String name) {
        return o.base64AtLeast(name, 0);
    }

    private static String status(FlatJsonObject o, Set<String> allowed) {
        String s = o.string("status");
        if (!allowed.contains(s)) {
            throw ProtocolException.malformed("unknown status");
        }
        return s;
    }

    private static JsonParser peekParser(byte[] json) throws IOException {
        if (json == null || json.length > Limits.MAX_MESSAGE_BYTES) {
            return null;
        }
        String text = StrictJson.text(json, MALFORMED_REQUEST);
        JsonParser p = StrictJson.parser(text);
        if (p.nextToken() != JsonToken.START_OBJECT) {
            p.close();
            return null;
        }
        return p;
    }

    /** Advances to the value of the first top-level member {@code name}; returns its token or null. */
    private static JsonToken seekTopLevel(JsonParser p, String name) throws IOException {
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (name.equals(field)) {
                return value;
            }
            p.skipChildren();
        }
        return null;
    }
}
