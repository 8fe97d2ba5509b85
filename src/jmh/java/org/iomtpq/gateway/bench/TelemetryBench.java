package org.iomtpq.gateway.bench;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.iomtpq.gateway.crypto.SecretBytes;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.TelemetryCrypto;
import org.iomtpq.gateway.protocol.TelemetryMessage;
import org.iomtpq.gateway.protocol.ValidatedReading;
import org.iomtpq.gateway.protocol.Vitals;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * §6 on the gateway for one typical reading (five vitals, 123-byte plaintext, about 150 bytes with the tag and
 * framing): AES-256-GCM open + strict validation, and the same preceded by the strict JSON parse of the message.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TelemetryBench {

    static final String READING = "{\"observedAt\":\"2026-11-23T19:00:05Z\",\"vitals\":{\"systolic\":145,"
            + "\"diastolic\":92,\"heartRate\":78,\"spo2\":96,\"temperature\":37.2}}";

    private SecretBytes key;
    private TelemetryMessage message;
    private byte[] messageJson;

    @Setup
    public void setUp() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        key = SecretBytes.copyOf(k);
        byte[] sessionId = new byte[16];
        new SecureRandom().nextBytes(sessionId);
        byte[] plaintext = READING.getBytes(StandardCharsets.UTF_8);
        message = new TelemetryMessage("BP_MONITOR_001", sessionId, 42,
                TelemetryCrypto.seal(key, "BP_MONITOR_001", sessionId, 42, plaintext));
        messageJson = MessageCodec.toJson(message).getBytes(StandardCharsets.UTF_8);
        if (openAndValidate().vitals().size() != 5) {
            throw new IllegalStateException("setup reading does not validate");
        }
    }

    @Benchmark
    public ValidatedReading openAndValidate() {
        return Vitals.parse(TelemetryCrypto.open(key, message));
    }

    @Benchmark
    public ValidatedReading parseOpenAndValidate() {
        return Vitals.parse(TelemetryCrypto.open(key, MessageCodec.parseTelemetry(messageJson)));
    }
}
