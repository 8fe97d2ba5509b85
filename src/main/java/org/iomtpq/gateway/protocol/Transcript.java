package org.iomtpq.gateway.protocol;

import org.iomtpq.gateway.crypto.Hashes;

/**
 * The handshake transcript hash TH of §5. Both MACs and every session key are bound to it, so changing any
 * field either side saw (ids, suite, nonces, keys, ciphertexts, session parameters) breaks the handshake.
 */
public final class Transcript {
    private Transcript() {
    }

    /** The bytes hashed into TH, exposed for known-answer tests. */
    public static byte[] encode(String deviceId, String gatewayId, String suite, byte[] nonceD, byte[] ephemeralKemPk,
                                byte[] ctG, byte[] sessionId, byte[] nonceG, String expiresAt, long maxMessages,
                                byte[] ctS, byte[] ctE) {
        return Lp.builder()
                .lp(Labels.HANDSHAKE)
                .lp(deviceId).lp(gatewayId).lp(suite).lp(nonceD).lp(ephemeralKemPk).lp(ctG)
                .lp(sessionId).lp(nonceG).lp(expiresAt).u64(maxMessages).lp(ctS).lp(ctE)
                .toByteArray();
    }

    public static byte[] hash(String deviceId, String gatewayId, String suite, byte[] nonceD, byte[] ephemeralKemPk,
                              byte[] ctG, byte[] sessionId, byte[] nonceG, String expiresAt, long maxMessages,
                              byte[] ctS, byte[] ctE) {
        return Hashes.sha256(encode(deviceId, gatewayId, suite, nonceD, ephemeralKemPk, ctG, sessionId, nonceG,
                expiresAt, maxMessages, ctS, ctE));
    }

    /** TH over a hello and the server-hello answering it (the strings exactly as sent). */
    public static byte[] hash(HelloMessage hello, ServerHelloMessage sh) {
        return hash(hello.deviceId(), hello.gatewayId(), hello.suite(), hello.nonce(), hello.ephemeralKemPublicKey(),
                hello.gatewayCiphertext(), sh.sessionId(), sh.nonce(), sh.expiresAt(), sh.maxMessages(),
                sh.staticCiphertext(), sh.ephemeralCiphertext());
    }
}
