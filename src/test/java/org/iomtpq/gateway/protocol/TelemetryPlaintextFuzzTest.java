package org.iomtpq.gateway.protocol;

import static org.iomtpq.gateway.protocol.ErrorCode.DECRYPT_FAILED;
import static org.iomtpq.gateway.protocol.ErrorCode.MALFORMED_REQUEST;
import static org.iomtpq.gateway.protocol.ErrorCode.PAYLOAD_TOO_LARGE;
import static org.iomtpq.gateway.protocol.ErrorCode.VALIDATION_FAILED;
import static org.iomtpq.gateway.testsupport.FuzzOracle.codes;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.iomtpq.gateway.crypto.SecretBytes;
import org.iomtpq.gateway.testsupport.FuzzFixtures;
import org.iomtpq.gateway.testsupport.FuzzOracle;
import org.iomtpq.gateway.testsupport.FuzzOracle.Outcome;

/**
 * Fuzz target for the telemetry plaintext (§6): the decrypted bytes → {@link Vitals#parse} → {@link ValidatedReading}.
 * Only {@code VALIDATION_FAILED} may come out. An accepted reading has at least one vital, only vitals of the table,
 * observedAt as §0 says, quality flags exactly on the out-of-range values, and writes back (as a device writes it,
 * {@link Reading#toJsonBytes}) to a plaintext that validates to the same reading. The same bytes also travel the
 * gateway's way: sealed under the session key, sent as a telemetry message, parsed, opened and validated, with the same
 * outcome; one flipped ciphertext bit is {@code DECRYPT_FAILED}. Over 64 KiB: {@code VALIDATION_FAILED} before decoding.
 */
class TelemetryPlaintextFuzzTest {

    private static final Set<ErrorCode> VALIDATION = codes(VALIDATION_FAILED);

    @FuzzTest(maxDuration = "2m")
    @DictionaryEntries({"\"observedAt\"", "\"vitals\"", "\"systolic\"", "\"diastolic\"", "\"heartRate\"", "\"spo2\"",
        "\"temperature\"", "\"respiratoryRate\"", "\"glucose\"", "2026-11-23T19:00:00Z", ".000000001Z", "1e999999999",
        "1e-999999999", "-0", "1E+15", "999999999999999.99999999999999999", "0.00000000000000001", "\\u0000", "null"})
    void plaintext(byte[] data) {
        Outcome<ValidatedReading> parsed = FuzzOracle.call("Vitals.parse", data.length, VALIDATION, () -> Vitals.parse(data));
        if (parsed.accepted()) {
            ValidatedReading r = parsed.value();
            checkInvariants(r);
            byte[] rewritten = new Reading(r.observedAt(), r.vitals()).toJsonBytes();
            ValidatedReading again = Vitals.parse(rewritten);
            if (!sameReading(r, again)) {
                throw new AssertionError("a reading written back validates differently: " + r + " vs " + again);
            }
        }
        throughTheGateway(data, parsed);

        byte[] oversize = FuzzOracle.paddedBeyondBound(data, data.length % 5);
        Outcome<ValidatedReading> big = FuzzOracle.call("Vitals.parse (oversize)", oversize.length, VALIDATION,
                () -> Vitals.parse(oversize));
        if (big.accepted()) {
            throw new AssertionError("a plaintext of " + oversize.length + " bytes was accepted");
        }
    }

    /** Seal, write, parse, open and validate as a device and the gateway do: the same outcome as parsing the plaintext. */
    private static void throughTheGateway(byte[] plaintext, Outcome<ValidatedReading> direct) {
        long seq = 1 + (plaintext.length % 1000);
        SecretBytes key = FuzzFixtures.deviceToGatewayKey();
        byte[] ciphertext = TelemetryCrypto.seal(key, FuzzFixtures.DEVICE_ID, FuzzFixtures.SESSION_ID, seq, plaintext);
        byte[] wire = MessageCodec.toJson(new TelemetryMessage(FuzzFixtures.DEVICE_ID, FuzzFixtures.SESSION_ID, seq,
                ciphertext)).getBytes(StandardCharsets.UTF_8);
        Outcome<TelemetryMessage> message = FuzzOracle.call("parseTelemetry", wire.length,
                codes(MALFORMED_REQUEST, PAYLOAD_TOO_LARGE), () -> MessageCodec.parseTelemetry(wire));
        if (!message.accepted()) {
            if (message.code() != PAYLOAD_TOO_LARGE || wire.length <= Limits.MAX_MESSAGE_BYTES) {
                throw new AssertionError("a sealed telemetry message was refused: " + message.code());
            }
            return;
        }
        TelemetryMessage t = message.value();
        Outcome<ValidatedReading> opened = FuzzOracle.call("open+parse", wire.length, VALIDATION,
                () -> Vitals.parse(TelemetryCrypto.open(key, t)));
        if (opened.accepted() != direct.accepted() || !Objects.equals(opened.code(), direct.code())
                || (opened.accepted() && !sameReading(opened.value(), direct.value()))) {
            throw new AssertionError("the plaintext validates differently after sealing and opening");
        }
        byte[] tampered = t.ciphertext();
        tampered[plaintext.length % tampered.length] ^= (byte) (1 << (plaintext.length % 8));
        TelemetryMessage forged = new TelemetryMessage(t.deviceId(), t.sessionId(), t.seq(), tampered);
        Outcome<byte[]> refused = FuzzOracle.call("open (tampered)", wire.length, codes(DECRYPT_FAILED),
                () -> TelemetryCrypto.open(key, forged));
        if (refused.accepted() || !Long.valueOf(seq).equals(refused.refusal().seq())) {
            throw new AssertionError("a tampered ciphertext was not DECRYPT_FAILED with its seq");
        }
    }

    private static void checkInvariants(ValidatedReading r) {
        if (!Timestamps.isWellFormed(r.observedAt())) {
            throw new AssertionError("observedAt accepted although not §0: " + r.observedAt());
        }
        Timestamps.parse(r.observedAt());
        if (r.vitals().isEmpty()) {
            throw new AssertionError("a reading without vitals was accepted");
        }
        for (Map.Entry<String, BigDecimal> e : r.vitals().entrySet()) {
            Vitals.Spec spec = Vitals.spec(e.getKey()).orElseThrow(() -> new AssertionError("unknown vital accepted"));
            boolean flagged = ValidatedReading.OUT_OF_RANGE.equals(r.quality().get(e.getKey()));
            if (flagged == spec.inRange(e.getValue())) {
                throw new AssertionError("quality of " + e.getKey() + " does not match its range");
            }
        }
        if (!r.vitals().keySet().containsAll(r.quality().keySet())) {
            throw new AssertionError("quality names a vital the reading does not have");
        }
    }

    private static boolean sameReading(ValidatedReading a, ValidatedReading b) {
        if (!a.observedAt().equals(b.observedAt()) || !a.quality().equals(b.quality())
                || !Arrays.equals(a.vitals().keySet().toArray(), b.vitals().keySet().toArray())) {
            return false;
        }
        for (Map.Entry<String, BigDecimal> e : a.vitals().entrySet()) {
            if (e.getValue().compareTo(b.vitals().get(e.getKey())) != 0) {
                return false;
            }
        }
        return true;
    }
}
