package org.iomtpq.gateway.protocol;

import org.iomtpq.gateway.crypto.AeadFailureException;
import org.iomtpq.gateway.crypto.AesGcm;
import org.iomtpq.gateway.crypto.SecretBytes;

/**
 * §6 telemetry protection: AES-256-GCM under kD2G with nonce = 0x00000000 || uint64_be(seq).
 * The seq is unique per session (replay window, unique (sessionId, seq)), so a nonce never repeats under
 * one key; the AAD binds the ciphertext to its device, session and seq.
 */
public final class TelemetryCrypto {
    private TelemetryCrypto() {
    }

    public static byte[] nonce(long seq) {
        return Lp.builder().raw(new byte[4]).u64(seq).toByteArray();
    }

    /** LP("iomt-pq/v1/telemetry") || LP(deviceId) || LP(sessionId) || uint64_be(seq). */
    public static byte[] aad(String deviceId, byte[] sessionId, long seq) {
        return Lp.builder().lp(Labels.TELEMETRY).lp(deviceId).lp(sessionId).u64(seq).toByteArray();
    }

    /** Returns C||T. */
    public static byte[] seal(SecretBytes kD2G, String deviceId, byte[] sessionId, long seq, byte[] plaintext) {
        return AesGcm.seal(kD2G, nonce(seq), aad(deviceId, sessionId, seq), plaintext);
    }

    /** The plaintext, or {@code DECRYPT_FAILED} (carrying the seq) when the tag does not verify. */
    public static byte[] open(SecretBytes kD2G, TelemetryMessage m) {
        try {
            return AesGcm.open(kD2G, nonce(m.seq()), aad(m.deviceId(), m.sessionId(), m.seq()), m.ciphertext());
        } catch (AeadFailureException e) {
            throw ProtocolException.decryptFailed("telemetry ciphertext does not authenticate").withSeq(m.seq());
        }
    }
}
