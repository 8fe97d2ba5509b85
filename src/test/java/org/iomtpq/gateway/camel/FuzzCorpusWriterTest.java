package org.iomtpq.gateway.camel;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;

import org.iomtpq.gateway.crypto.MlKem;
import org.iomtpq.gateway.protocol.AckMessage;
import org.iomtpq.gateway.protocol.DeviceHandshake;
import org.iomtpq.gateway.protocol.EnrolledMessage;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.ErrorMessage;
import org.iomtpq.gateway.protocol.EstablishedMessage;
import org.iomtpq.gateway.protocol.FinishedMessage;
import org.iomtpq.gateway.protocol.GatewayHandshake;
import org.iomtpq.gateway.protocol.GatewayRecord;
import org.iomtpq.gateway.protocol.HelloMessage;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.protocol.Limits;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.PendingHandshake;
import org.iomtpq.gateway.protocol.Reading;
import org.iomtpq.gateway.protocol.RotationMessage;
import org.iomtpq.gateway.protocol.SignedPayloads;
import org.iomtpq.gateway.protocol.TelemetryCrypto;
import org.iomtpq.gateway.protocol.TelemetryMessage;
import org.iomtpq.gateway.testsupport.FuzzFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the committed seed corpus of the fuzz targets (README "Fuzzing") with the project's own device and gateway
 * code and {@link FuzzFixtures}: valid messages of every type, which pass every check the targets can make, and a few
 * edge cases. Runs only on request and overwrites only its own {@code seed-*} files (the fuzzer's finds and crash
 * reproducers stay):
 * {@code mvn -o -q test -Dtest=FuzzCorpusWriterTest -Diomt.fuzz.writeCorpus=true -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "iomt.fuzz.writeCorpus", matches = "true")
class FuzzCorpusWriterTest {

    private static final Path RESOURCES = Path.of("src/test/resources/org/iomtpq/gateway");
    private static final SecureRandom RND = new SecureRandom();

    @Test
    void writeCorpus() throws IOException {
        Map<String, byte[]> messages = validMessages();
        Map<String, byte[]> raw = new LinkedHashMap<>(messages);
        raw.put("edge-unicode-escapes", utf8("{\"\\u0074ype\":\"\\u0061ck\",\"v\":1,\"seq\":9007199254740991}"));
        raw.put("edge-duplicate-key", utf8("{\"type\":\"ack\",\"v\":1,\"seq\":1,\"seq\":2}"));
        raw.put("edge-null-vs-absent", utf8("{\"type\":\"error\",\"v\":1,\"code\":\"REPLAY\",\"message\":\"m\",\"inReplyTo\":null}"));
        raw.put("edge-huge-number", utf8("{\"type\":\"ack\",\"v\":1,\"seq\":1" + "0".repeat(70) + "}"));
        raw.put("edge-exponent", utf8("{\"type\":\"ack\",\"v\":1e0,\"seq\":1e999999999}"));
        raw.put("edge-nested", utf8("{\"type\":\"finished\",\"v\":1,\"deviceId\":" + "[".repeat(20) + "]".repeat(20) + "}"));
        raw.put("edge-nosql-operator", utf8("{\"type\":\"finished\",\"v\":1,\"deviceId\":{\"$ne\":null},\"sessionId\":\"AAAAAAAAAAAAAAAAAAAAAA==\",\"mac\":\"\"}"));
        raw.put("edge-bom", concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, messages.get("ack")));
        raw.put("edge-overlong-utf8", concat(utf8("{\"type\":\"error\",\"v\":1,\"code\":\"REPLAY\",\"message\":\""),
                new byte[] {(byte) 0xc0, (byte) 0xaf}, utf8("\"}")));
        raw.put("edge-not-canonical-base64", utf8("{\"type\":\"established\",\"v\":1,\"deviceId\":\"BP_MONITOR_001\",\"sessionId\":\"AAAAAAAAAAAAAAAAAAAAAB==\"}"));
        write("protocol/MessageCodecFuzzTestInputs/rawMessage", raw);

        Map<String, byte[]> structured = new LinkedHashMap<>();
        String[] types = {"enroll", "hello", "finished", "telemetry", "rotate", "server-hello", "established", "enrolled",
            "rotation", "error", "gateway", "ack"};
        for (int i = 0; i < types.length; i++) {
            structured.put("valid-" + types[i], new byte[] {(byte) i}); // the last byte picks the type; the rest: valid
        }
        write("protocol/MessageCodecFuzzTestInputs/structuredMessage", structured);

        Map<String, byte[]> plaintexts = new LinkedHashMap<>();
        plaintexts.put("all-vitals", reading("2026-11-23T19:00:00Z", "systolic", "145", "diastolic", "92", "heartRate", "88",
                "spo2", "96", "temperature", "37.2", "respiratoryRate", "16", "glucose", "105"));
        plaintexts.put("out-of-range", reading("2026-11-23T19:00:00.123456789Z", "spo2", "49.999", "temperature", "45.01"));
        plaintexts.put("edge-exponent", utf8("{\"observedAt\":\"2026-11-23T19:00:00Z\",\"vitals\":{\"glucose\":1E+2}}"));
        plaintexts.put("edge-huge-exponent", utf8("{\"observedAt\":\"2026-11-23T19:00:00Z\",\"vitals\":{\"spo2\":1e999999999}}"));
        plaintexts.put("edge-no-vitals", utf8("{\"observedAt\":\"2026-11-23T19:00:00Z\",\"vitals\":{}}"));
        plaintexts.put("edge-string-vital", utf8("{\"observedAt\":\"2026-11-23T19:00:00Z\",\"vitals\":{\"spo2\":\"96\"}}"));
        plaintexts.put("edge-leap-day", utf8("{\"vitals\":{\"heartRate\":-0},\"observedAt\":\"2028-02-29T23:59:59Z\"}"));
        write("protocol/TelemetryPlaintextFuzzTestInputs/plaintext", plaintexts);

        Map<String, byte[]> keys = new LinkedHashMap<>();
        keys.put("kem-public-key", new byte[] {0});
        keys.put("dsa-key-and-signature", new byte[] {1});
        keys.put("kem-ciphertext", new byte[] {2});
        keys.put("kem-public-key-raw", concat(FuzzFixtures.GATEWAY_KEM.publicKey().toBytes(), new byte[] {3}));
        write("protocol/KeyMaterialFuzzTestInputs/publicKeysAndCiphertexts", keys);

        Map<String, byte[]> encodings = new LinkedHashMap<>();
        encodings.put("b64-one-pad", utf8("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gIQ=="));
        encodings.put("b64-two-pad", utf8("AAEC AwQ="));
        encodings.put("b64-session-id", utf8("BgcICQoLDA0ODxAREhMUFQ=="));
        encodings.put("hash32", utf8("0x" + "ab".repeat(32)));
        encodings.put("address", utf8("0x" + "0".repeat(40)));
        write("protocol/KeyMaterialFuzzTestInputs/encodings", encodings);

        // ingress: the same valid device messages over MQTT (topic of the fixture device) and HTTP, plus refusals
        Map<String, byte[]> mqtt = new LinkedHashMap<>();
        Map<String, byte[]> http = new LinkedHashMap<>();
        String[] steps = {"enroll", "hello", "finished", "telemetry", "rotate"};
        for (int i = 0; i < steps.length; i++) {
            byte[] body = messages.get(steps[i]);
            mqtt.put(steps[i], IngressFuzzTest.Frame.encode(i, 0, 0, false, "", body));
            http.put(steps[i], IngressFuzzTest.Frame.encode(i, 0, 0, false, "", body));
        }
        mqtt.put("telemetry-other-device-topic", IngressFuzzTest.Frame.encode(3, 1, 0, false, "", messages.get("telemetry")));
        mqtt.put("hello-oversize", IngressFuzzTest.Frame.encode(1, 0, 0, true, "", messages.get("hello")));
        mqtt.put("telemetry-input-stream", IngressFuzzTest.Frame.encode(3, 0, 2, false, "", messages.get("telemetry")));
        mqtt.put("topic-wildcard", IngressFuzzTest.Frame.encode(3, 3, 0, false, "iomt/v1/+/up/telemetry", messages.get("telemetry")));
        mqtt.put("topic-unknown-step", IngressFuzzTest.Frame.encode(5, 0, 0, false, "status", messages.get("finished")));
        mqtt.put("telemetry-replay", IngressFuzzTest.Frame.encode(3, 0, 0, false, "", telemetry(10)));
        mqtt.put("no-body", IngressFuzzTest.Frame.encode(2, 0, 3, false, "", new byte[0]));
        http.put("rotate-other-path-id", IngressFuzzTest.Frame.encode(4, 1, 0, false, "", messages.get("rotate")));
        http.put("rotate-bad-path-id", IngressFuzzTest.Frame.encode(4, 2, 0, false, "../x", messages.get("finished")));
        http.put("enroll-oversize", IngressFuzzTest.Frame.encode(0, 3, 0, true, "", messages.get("telemetry")));
        http.put("telemetry-string-body", IngressFuzzTest.Frame.encode(3, 3, 1, false, "", messages.get("telemetry")));
        http.put("telemetry-expired", IngressFuzzTest.Frame.encode(3, 3, 0, false, "", telemetry(5000)));
        write("camel/IngressFuzzTestInputs/mqtt", mqtt);
        write("camel/IngressFuzzTestInputs/http", http);
    }

    /** One valid message of every type, made by the device and gateway code with the fixtures' keys and clock. */
    static Map<String, byte[]> validMessages() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("enroll", utf8(MessageCodec.toJson(FuzzFixtures.DEVICE.enrollMessage(FuzzFixtures.NOW, RND))));
        HelloMessage hello = DeviceHandshake.start(FuzzFixtures.DEVICE, FuzzFixtures.GATEWAY_ID,
                FuzzFixtures.GATEWAY_KEM.publicKey(), RND).hello();
        m.put("hello", utf8(MessageCodec.toJson(hello)));
        m.put("finished", utf8(MessageCodec.toJson(new FinishedMessage(FuzzFixtures.DEVICE_ID, FuzzFixtures.SESSION_ID,
                FuzzFixtures.finishedMac()))));
        m.put("telemetry", telemetry(101));
        m.put("rotate", utf8(MessageCodec.toJson(FuzzFixtures.DEVICE.rotateTo(FuzzFixtures.DEVICE_NEXT, FuzzFixtures.NOW, RND))));
        PendingHandshake pending = GatewayHandshake.respond(hello, FuzzFixtures.GATEWAY_ID, FuzzFixtures.GATEWAY_KEM,
                FuzzFixtures.DEVICE.kemKeyPair().publicKey(), FuzzFixtures.NOW, Limits.DEFAULT_SESSION_TTL,
                Limits.DEFAULT_MAX_MESSAGES, RND);
        m.put("server-hello", utf8(MessageCodec.toJson(pending.serverHello())));
        m.put("established", utf8(MessageCodec.toJson(new EstablishedMessage(FuzzFixtures.DEVICE_ID, FuzzFixtures.SESSION_ID))));
        String commitment = Hex0x.encode(FuzzFixtures.DEVICE_COMMITMENT);
        m.put("enrolled", utf8(MessageCodec.toJson(new EnrolledMessage(FuzzFixtures.DEVICE_ID, "PENDING_CHAIN",
                Hex0x.encode(SignedPayloads.deviceIdHash(FuzzFixtures.DEVICE_ID)), commitment, null))));
        m.put("rotation", utf8(MessageCodec.toJson(new RotationMessage(FuzzFixtures.DEVICE_ID, "ACTIVE", commitment,
                "0x" + "12".repeat(32)))));
        m.put("error", utf8(MessageCodec.toJson(new ErrorMessage(ErrorCode.REPLAY, "seq 7 was already received",
                "telemetry", 7L))));
        m.put("gateway", utf8(MessageCodec.toJson(GatewayRecord.of(FuzzFixtures.GATEWAY_ID,
                FuzzFixtures.GATEWAY_KEM.publicKey(), "0x" + "ab".repeat(20)))));
        m.put("ack", utf8(MessageCodec.toJson(new AckMessage(101))));
        if (MlKem.PUBLIC_KEY_BYTES != FuzzFixtures.GATEWAY_KEM.publicKey().toBytes().length) {
            throw new IllegalStateException("fixture key size");
        }
        return m;
    }

    /** Telemetry of the fixture session, sealed under its key. */
    static byte[] telemetry(long seq) {
        byte[] plaintext = new Reading("2026-11-23T19:00:00Z", Map.of("spo2", new BigDecimal("96"))).toJsonBytes();
        byte[] ciphertext = TelemetryCrypto.seal(FuzzFixtures.deviceToGatewayKey(), FuzzFixtures.DEVICE_ID,
                FuzzFixtures.SESSION_ID, seq, plaintext);
        return utf8(MessageCodec.toJson(new TelemetryMessage(FuzzFixtures.DEVICE_ID, FuzzFixtures.SESSION_ID, seq, ciphertext)));
    }

    private static byte[] reading(String observedAt, String... vitals) {
        Map<String, BigDecimal> v = new LinkedHashMap<>();
        for (int i = 0; i < vitals.length; i += 2) {
            v.put(vitals[i], new BigDecimal(vitals[i + 1]));
        }
        return new Reading(observedAt, v).toJsonBytes();
    }

    private static void write(String dir, Map<String, byte[]> seeds) throws IOException {
        Path d = RESOURCES.resolve(dir);
        Files.createDirectories(d);
        try (var old = Files.list(d)) {
            for (Path p : (Iterable<Path>) old::iterator) {
                if (p.getFileName().toString().startsWith("seed-")) {
                    Files.delete(p);
                }
            }
        }
        for (Map.Entry<String, byte[]> e : seeds.entrySet()) {
            Files.write(d.resolve("seed-" + e.getKey()), e.getValue());
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
