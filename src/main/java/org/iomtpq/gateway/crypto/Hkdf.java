package org.iomtpq.gateway.crypto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** HKDF with SHA-256 (RFC 5869), written out directly because the protocol's key schedule is part of the spec. */
public final class Hkdf {

    /** RFC 5869 §2.3: at most 255 blocks of output. */
    public static final int MAX_OUTPUT_BYTES = 255 * Hmac.TAG_BYTES;

    private Hkdf() {
    }

    /** PRK = HMAC-SHA256(salt, IKM); an absent or empty salt means 32 zero bytes (RFC 5869 §2.2). */
    public static SecretBytes extract(byte[] salt, byte[] ikm) {
        byte[] effectiveSalt = (salt == null || salt.length == 0) ? new byte[Hmac.TAG_BYTES] : salt;
        return SecretBytes.takeOwnership(Hmac.sha256(effectiveSalt, ikm));
    }

    /** OKM = T(1) || T(2) || ... truncated to {@code length}; T(i) = HMAC(PRK, T(i-1) || info || i). */
    public static SecretBytes expand(SecretBytes prk, byte[] info, int length) {
        if (length < 0 || length > MAX_OUTPUT_BYTES) {
            throw new IllegalArgumentException("HKDF output length must be 0.." + MAX_OUTPUT_BYTES + ", was " + length);
        }
        byte[] okm = new byte[length];
        byte[] block = new byte[0];
        int written = 0;
        try {
            for (int counter = 1; written < length; counter++) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream(block.length + info.length + 1);
                buf.writeBytes(block);
                buf.writeBytes(info);
                buf.write(counter);
                byte[] input = buf.toByteArray();
                Arrays.fill(block, (byte) 0);
                block = Hmac.sha256(prk, input);
                Arrays.fill(input, (byte) 0);
                int n = Math.min(block.length, length - written);
                System.arraycopy(block, 0, okm, written, n);
                written += n;
            }
            return SecretBytes.copyOf(okm);
        } finally {
            Arrays.fill(block, (byte) 0);
            Arrays.fill(okm, (byte) 0);
        }
    }

    /** Same as {@link #expand(SecretBytes, byte[], int)} with the UTF-8 bytes of a label such as "iomt-pq/v1 device finished". */
    public static SecretBytes expand(SecretBytes prk, String infoUtf8, int length) {
        return expand(prk, infoUtf8.getBytes(StandardCharsets.UTF_8), length);
    }
}
