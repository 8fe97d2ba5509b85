package org.iomtpq.gateway.protocol;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.iomtpq.gateway.crypto.ConstantTime;
import org.iomtpq.gateway.crypto.Encapsulation;
import org.iomtpq.gateway.crypto.Hmac;
import org.iomtpq.gateway.crypto.MlKem;
import org.iomtpq.gateway.crypto.MlKemKeyPair;
import org.iomtpq.gateway.crypto.MlKemPublicKey;
import org.iomtpq.gateway.crypto.SecretBytes;

/**
 * The gateway side of the §5 handshake, free of storage: the caller has already checked that the device is
 * ACTIVE and that its stored keys match the chain, and it stores the returned pending state.
 */
public final class GatewayHandshake {
    private static final int SESSION_ID_BYTES = 16;
    private static final int NONCE_BYTES = 32;

    private GatewayHandshake() {
    }

    /**
     * Answers a hello. gatewayId mismatch or another suite: {@code MALFORMED_REQUEST}; an ephemeral key of
     * wrong length or failing the FIPS 203 check: {@code INVALID_KEY}. The three shared secrets are erased
     * before returning.
     */
    public static PendingHandshake respond(HelloMessage hello, String ownGatewayId, MlKemKeyPair gatewayStatic,
                                           MlKemPublicKey deviceKemPk, Instant now, Duration sessionTtl,
                                           long maxMessages, SecureRandom rnd) {
        Objects.requireNonNull(gatewayStatic, "gatewayStatic");
        Objects.requireNonNull(deviceKemPk, "deviceKemPk");
        Objects.requireNonNull(rnd, "rnd");
        if (!hello.gatewayId().equals(ownGatewayId)) {
            throw ProtocolException.malformed("gatewayId is not this gateway's id");
        }
        if (!Labels.SUITE.equals(hello.suite())) {
            throw ProtocolException.malformed("unsupported suite (only " + Labels.SUITE + ")");
        }
        if (maxMessages < 1 || maxMessages > Limits.MAX_MESSAGES_CAP) {
            throw new IllegalArgumentException("maxMessages must be 1..2^53-1");
        }
        if (sessionTtl.isNegative() || sessionTtl.isZero()) {
            throw new IllegalArgumentException("sessionTtl must be positive");
        }
        MlKemPublicKey ephemeral = PublicKeys.kem(hello.ephemeralKemPublicKey(), "ephemeralKemPublicKey");
        if (hello.nonce().length != NONCE_BYTES) {
            throw ProtocolException.malformed("nonce must be " + NONCE_BYTES + " bytes");
        }
        byte[] ctG = hello.gatewayCiphertext();
        if (ctG.length != MlKem.CIPHERTEXT_BYTES) {
            throw ProtocolException.malformed("gatewayCiphertext must be " + MlKem.CIPHERTEXT_BYTES + " bytes");
        }

        SecretBytes ssG = null;
        Encapsulation toDevice = null;
        Encapsulation toEphemeral = null;
        try {
            ssG = MlKem.decapsulate(gatewayStatic.privateKey(), ctG);
            toDevice = MlKem.encapsulate(deviceKemPk, rnd);
            toEphemeral = MlKem.encapsulate(ephemeral, rnd);
            byte[] sessionId = new byte[SESSION_ID_BYTES];
            rnd.nextBytes(sessionId);
            byte[] nonceG = new byte[NONCE_BYTES];
            rnd.nextBytes(nonceG);
            String expiresAt = Timestamps.format(now.plus(sessionTtl));

            byte[] th = Transcript.hash(hello.deviceId(), hello.gatewayId(), hello.suite(), hello.nonce(),
                    hello.ephemeralKemPublicKey(), ctG, sessionId, nonceG, expiresAt, maxMessages,
                    toDevice.ciphertext(), toEphemeral.ciphertext());
            SessionKeys keys = KeySchedule.derive(th, ssG, toDevice.sharedSecret(), toEphemeral.sharedSecret());
            byte[] mac = Hmac.sha256(keys.gatewayFinished(), th);
            ServerHelloMessage sh = new ServerHelloMessage(hello.deviceId(), hello.gatewayId(), sessionId, nonceG,
                    expiresAt, maxMessages, toDevice.ciphertext(), toEphemeral.ciphertext(), mac);
            return new PendingHandshake(sessionId, th, keys, expiresAt, maxMessages, sh);
        } finally {
            if (ssG != null) {
                ssG.destroy();
            }
            if (toDevice != null) {
                toDevice.sharedSecret().destroy();
            }
            if (toEphemeral != null) {
                toEphemeral.sharedSecret().destroy();
            }
        }
    }

    /** §5 step 4: HMAC-SHA256(fkD, TH) compared in constant time. */
    public static boolean finishedMacValid(byte[] transcriptHash, SecretBytes deviceFinishedKey, byte[] mac) {
        if (transcriptHash == null || deviceFinishedKey == null || mac == null) {
            return false;
        }
        return ConstantTime.equals(Hmac.sha256(deviceFinishedKey, transcriptHash), mac);
    }
}
