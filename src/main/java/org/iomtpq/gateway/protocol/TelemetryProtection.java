package org.iomtpq.gateway.protocol;

import org.iomtpq.gateway.crypto.SecretBytes;

/**
 * How a telemetry payload is protected on the wire. The protocol knows one: AES-256-GCM (§6). The other exists only
 * so the load harness can measure what security costs ("secured / unsecured" in docs/benchmarks.md): the same
 * pipeline, same handshake and checks, with the AEAD step replaced by a copy. It is not reachable from any
 * configuration key or environment variable; only the benchmark code selects it.
 */
public enum TelemetryProtection {

    AES_256_GCM {
        @Override
        byte[] seal(SecretBytes kD2G, String deviceId, byte[] sessionId, long seq, byte[] plaintext) {
            return TelemetryCrypto.seal(kD2G, deviceId, sessionId, seq, plaintext);
        }

        @Override
        public byte[] open(SecretBytes kD2G, TelemetryMessage m) {
            return TelemetryCrypto.open(kD2G, m);
        }
    },

    /** Benchmark only: the "ciphertext" field carries the plaintext. Never use outside the load harness. */
    NONE_FOR_BENCHMARK {
        @Override
        byte[] seal(SecretBytes kD2G, String deviceId, byte[] sessionId, long seq, byte[] plaintext) {
            return plaintext.clone();
        }

        @Override
        public byte[] open(SecretBytes kD2G, TelemetryMessage m) {
            return m.ciphertext();
        }
    };

    abstract byte[] seal(SecretBytes kD2G, String deviceId, byte[] sessionId, long seq, byte[] plaintext);

    /** The plaintext of a telemetry message; {@code DECRYPT_FAILED} when it does not authenticate. */
    public abstract byte[] open(SecretBytes kD2G, TelemetryMessage m);
}
