package org.iomtpq.gateway.crypto;

import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * HMAC-SHA256 (RFC 2104). BouncyCastle's HMac rather than JCA {@code Mac}: JCA refuses an empty key,
 * which RFC 2104 and HKDF with an empty salt both allow.
 */
public final class Hmac {

    /** Output size of HMAC-SHA256 in bytes. */
    public static final int TAG_BYTES = 32;

    private Hmac() {
    }

    public static byte[] sha256(SecretBytes key, byte[] data) {
        byte[] k = key.revealCopy();
        try {
            return sha256(k, data);
        } finally {
            Arrays.fill(k, (byte) 0);
        }
    }

    /** Raw-key variant for vectors and for HKDF's salt (a public value). */
    public static byte[] sha256(byte[] key, byte[] data) {
        HMac mac = new HMac(new SHA256Digest());
        mac.init(new KeyParameter(key));
        mac.update(data, 0, data.length);
        byte[] out = new byte[TAG_BYTES];
        mac.doFinal(out, 0);
        return out;
    }
}
