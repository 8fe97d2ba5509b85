package org.iomtpq.gateway.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** Writes the messages with exactly the §3–§8 field names and order; behind {@link MessageCodec#toJson}. */
final class JsonWriter {
    @FunctionalInterface
    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private JsonWriter() {
    }

    private static String object(String type, Body body) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = StrictJson.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", type);
            g.writeNumberField("v", 1);
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a StringWriter cannot fail", e);
        }
        return out.toString();
    }

    private static void b64(JsonGenerator g, String name, byte[] bytes) throws IOException {
        g.writeStringField(name, Base64s.encode(bytes));
    }

    /** Writes a string or JSON null: nullable fields are always present (§3–§5 list them unconditionally). */
    private static void nullable(JsonGenerator g, String name, String value) throws IOException {
        if (value == null) {
            g.writeNullField(name);
        } else {
            g.writeStringField(name, value);
        }
    }

    static String write(EnrollMessage m) {
        return object("enroll", g -> {
            g.writeStringField("deviceId", m.deviceId());
            g.writeStringField("deviceType", m.deviceType());
            b64(g, "kemPublicKey", m.kemPublicKey());
            b64(g, "sigPublicKey", m.sigPublicKey());
            g.writeStringField("timestamp", m.timestamp());
            b64(g, "signature", m.signature());
        });
    }

    static String write(HelloMessage m) {
        return object("hello", g -> {
            g.writeStringField("deviceId", m.deviceId());
            g.writeStringField("gatewayId", m.gatewayId());
            g.writeStringField("suite", m.suite());
            b64(g, "nonce", m.nonce());
            b64(g, "ephemeralKemPublicKey", m.ephemeralKemPublicKey());
            b64(g, "gatewayCiphertext", m.gatewayCiphertext());
        });
    }

    static String write(ServerHelloMessage m) {
        return object("server-hello", g -> {
            g.writeStringField("deviceId", m.deviceId());
            g.writeStringField("gatewayId", m.gatewayId());
            b64(g, "sessionId", m.sessionId());
            b64(g, "nonce", m.nonce());
            g.writeStringField("expiresAt", m.expiresAt());
            g.writeNumberField("maxMessages", m.maxMessages());
            b64(g, "staticCiphertext", m.staticCiphertext());
            b64(g, "ephemeralCiphertext", m.ephemeralCiphertext());
            b64(g, "mac", m.mac());
        });
    }

    static String write(FinishedMessage m) {
        return object("finished", g -> {
            g.writeStringField("deviceId", m.deviceId());
            b64(g, "sessionId", m.sessionId());
            b64(g, "mac", m.mac());
        });
    }

    static String write(EstablishedMessage m) {
        return object("established", g -> {
            g.writeStringField("deviceId", m.deviceId());
            b64(g, "sessionId", m.sessionId());
        });
    }

    static String write(TelemetryMessage m) {
        return object("telemetry", g -> {
            g.writeStringField("deviceId", m.deviceId());
            b64(g, "sessionId", m.sessionId());
            g.writeNumberField("seq", m.seq());
            b64(g, "ciphertext", m.ciphertext());
        });
    }

    static String write(RotateMessage m) {
        return object("rotate", g -> {
            g.writeStringField("deviceId", m.deviceId());
            b64(g, "kemPublicKey", m.kemPublicKey());
            b64(g, "sigPublicKey", m.sigPublicKey());
            g.writeStringField("timestamp", m.timestamp());
            b64(g, "signature", m.signature());
            b64(g, "newSignature", m.newSignature());
        });
    }

    static String write(EnrolledMessage m) {
        return object("enrolled", g -> {
            g.writeStringField("deviceId", m.deviceId());
            g.writeStringField("status", m.status());
            g.writeStringField("deviceIdHash", m.deviceIdHash());
            g.writeStringField("keyCommitment", m.keyCommitment());
            nullable(g, "txHash", m.txHash());
        });
    }

    static String write(RotationMessage m) {
        return object("rotation", g -> {
            g.writeStringField("deviceId", m.deviceId());
            g.writeStringField("status", m.status());
            g.writeStringField("keyCommitment", m.keyCommitment());
            nullable(g, "txHash", m.txHash());
        });
    }

    /**
     * §8: {@code inReplyTo} only for a device step (operator API, {@code registration} and {@code gateway} answers omit
     * it — absent, not {@code null}); {@code seq} only for telemetry whose seq could be read.
     */
    static String write(ErrorMessage m) {
        return object("error", g -> {
            g.writeStringField("code", m.code().wire());
            g.writeStringField("message", m.message());
            if (m.inReplyTo() != null) {
                g.writeStringField("inReplyTo", m.inReplyTo());
            }
            if (m.seq() != null) {
                g.writeNumberField("seq", m.seq());
            }
        });
    }

    static String write(GatewayRecord m) {
        return object("gateway", g -> {
            g.writeStringField("gatewayId", m.gatewayId());
            b64(g, "kemPublicKey", m.kemPublicKey());
            g.writeStringField("kemKeyHash", m.kemKeyHash());
            nullable(g, "gatewayAddress", m.gatewayAddress());
        });
    }

    static String write(AckMessage m) {
        return object("ack", g -> g.writeNumberField("seq", m.seq()));
    }
}
