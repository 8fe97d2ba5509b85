package org.iomtpq.gateway.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * Wraps session keys for storage under the gateway's master key: {@code nonce(12) || AES-256-GCM(C || T)}.
 *
 * <p>The associated data (e.g. sessionId + purpose) is authenticated but not stored: a wrapped key copied
 * into another record, or used for another purpose, fails to unwrap. Nonces are random; SP 800-38D §8.3
 * allows 2^32 random-nonce encryptions per key, far above the number of sessions one master key sees.
 */
public final class KeyWrap {

    private static final int OVERHEAD = AesGcm.NONCE_BYTES + AesGcm.TAG_BYTES;

    private final SecretBytes masterKey;
    private final SecureRandom random;

    public KeyWrap(SecretBytes masterKey32) {
        this(masterKey32, new SecureRandom());
    }

    public KeyWrap(SecretBytes masterKey32, SecureRandom random) {
        Objects.requireNonNull(masterKey32, "masterKey32");
        if (masterKey32.length() != AesGcm.KEY_BYTES) {
            throw new InvalidKeyMaterialException("master key must be 32 bytes, was " + masterKey32.length());
        }
        byte[] copy = masterKey32.revealCopy();
        // Own copy: the caller may destroy its SecretBytes without breaking this instance.
        this.masterKey = SecretBytes.takeOwnership(copy);
        this.random = Objects.requireNonNull(random, "random");
    }

    public byte[] wrap(SecretBytes key, byte[] associatedData) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(associatedData, "associatedData");
        byte[] nonce = new byte[AesGcm.NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] plain = key.revealCopy();
        try {
            byte[] sealed = AesGcm.seal(masterKey, nonce, associatedData, plain);
            byte[] out = new byte[nonce.length + sealed.length];
            System.arraycopy(nonce, 0, out, 0, nonce.length);
            System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
            return out;
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /** Throws {@link CryptoException} when the blob was altered, belongs to other AD, or another master key. */
    public SecretBytes unwrap(byte[] wrapped, byte[] associatedData) {
        Objects.requireNonNull(wrapped, "wrapped");
        Objects.requireNonNull(associatedData, "associatedData");
        if (wrapped.length < OVERHEAD) {
            throw new CryptoException("wrapped key too short");
        }
        byte[] nonce = Arrays.copyOfRange(wrapped, 0, AesGcm.NONCE_BYTES);
        byte[] sealed = Arrays.copyOfRange(wrapped, AesGcm.NONCE_BYTES, wrapped.length);
        try {
            return SecretBytes.takeOwnership(AesGcm.open(masterKey, nonce, associatedData, sealed));
        } catch (AeadFailureException e) {
            throw new CryptoException("wrapped key failed authentication", e);
        }
    }

    @Override
    public String toString() {
        return "KeyWrap[AES-256-GCM]";
    }
}
