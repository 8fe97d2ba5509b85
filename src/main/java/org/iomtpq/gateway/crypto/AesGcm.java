package org.iomtpq.gateway.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM (SP 800-38D) with a 96-bit nonce and a 128-bit tag appended to the ciphertext.
 *
 * <p>Why the JDK's "AES/GCM/NoPadding" (SunJCE) and not BouncyCastle's lightweight GCMBlockCipher:
 * SunJCE's AES and GHASH are HotSpot intrinsics (AES-NI, CLMUL), so they are fast on the telemetry hot path
 * and free of the cache-timing leaks of a table-based pure-Java AES; BouncyCastle's AESEngine uses lookup
 * tables. The JDK provider is always present, so no provider registration is needed.
 *
 * <p>A new Cipher per call: SunJCE refuses to encrypt twice with the same key and nonce on one instance,
 * and a per-thread cache would keep expanded key schedules alive longer than needed.
 */
public final class AesGcm {

    public static final int KEY_BYTES = 32;
    public static final int NONCE_BYTES = 12;
    public static final int TAG_BYTES = 16;
    private static final int TAG_BITS = TAG_BYTES * 8;

    private AesGcm() {
    }

    /** Returns C || T. The caller guarantees the nonce is never reused under this key. */
    public static byte[] seal(SecretBytes key, byte[] nonce12, byte[] aad, byte[] plaintext) {
        requireKey256(key);
        byte[] k = key.revealCopy();
        try {
            return sealAnyKeySize(k, nonce12, aad, plaintext);
        } finally {
            Arrays.fill(k, (byte) 0);
        }
    }

    /** Returns the plaintext, or throws if the tag does not verify (no partial plaintext is released). */
    public static byte[] open(SecretBytes key, byte[] nonce12, byte[] aad, byte[] ciphertextAndTag)
            throws AeadFailureException {
        requireKey256(key);
        byte[] k = key.revealCopy();
        try {
            return openAnyKeySize(k, nonce12, aad, ciphertextAndTag);
        } finally {
            Arrays.fill(k, (byte) 0);
        }
    }

    /** Also accepts AES-128/192 keys: only so the published AES-128 vectors can exercise the same code path. */
    static byte[] sealAnyKeySize(byte[] key, byte[] nonce12, byte[] aad, byte[] plaintext) {
        Objects.requireNonNull(plaintext, "plaintext");
        try {
            Cipher cipher = init(Cipher.ENCRYPT_MODE, key, nonce12, aad);
            return cipher.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new CryptoException("AES-GCM encryption failed", e);
        }
    }

    static byte[] openAnyKeySize(byte[] key, byte[] nonce12, byte[] aad, byte[] ciphertextAndTag)
            throws AeadFailureException {
        Objects.requireNonNull(ciphertextAndTag, "ciphertextAndTag");
        if (ciphertextAndTag.length < TAG_BYTES) {
            throw new AeadFailureException("AEAD ciphertext shorter than its tag");
        }
        Cipher cipher;
        try {
            cipher = init(Cipher.DECRYPT_MODE, key, nonce12, aad);
        } catch (GeneralSecurityException e) {
            throw new CryptoException("AES-GCM initialisation failed", e);
        }
        try {
            return cipher.doFinal(ciphertextAndTag);
        } catch (AEADBadTagException e) {
            throw new AeadFailureException("AEAD authentication failed");
        } catch (GeneralSecurityException e) {
            throw new AeadFailureException("AEAD decryption failed");
        }
    }

    private static Cipher init(int mode, byte[] key, byte[] nonce12, byte[] aad) throws GeneralSecurityException {
        Objects.requireNonNull(nonce12, "nonce");
        if (nonce12.length != NONCE_BYTES) {
            throw new IllegalArgumentException("AES-GCM nonce must be " + NONCE_BYTES + " bytes, was " + nonce12.length);
        }
        if (key.length != 16 && key.length != 24 && key.length != 32) {
            throw new InvalidKeyMaterialException("AES key must be 16, 24 or 32 bytes, was " + key.length);
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce12));
        if (aad != null && aad.length > 0) {
            cipher.updateAAD(aad);
        }
        return cipher;
    }

    private static void requireKey256(SecretBytes key) {
        Objects.requireNonNull(key, "key");
        if (key.length() != KEY_BYTES) {
            throw new InvalidKeyMaterialException("AES-256-GCM key must be 32 bytes, was " + key.length());
        }
    }
}
