package org.iomtpq.gateway.crypto;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPublicKeyParameters;

/**
 * A validated ML-KEM-768 encapsulation key (public data). Construction runs the FIPS 203 §7.2 checks,
 * so holding an instance means the key is safe to encapsulate to.
 */
public final class MlKemPublicKey {

    /** ByteEncode12 of k=3 polynomials: 3 * 256 coefficients * 12 bits. */
    static final int ENCODED_T_BYTES = 1152;
    private static final int Q = 3329;

    private final byte[] encoded;
    private final MLKEMPublicKeyParameters bcParameters;

    private MlKemPublicKey(byte[] encoded, MLKEMPublicKeyParameters bcParameters) {
        this.encoded = encoded;
        this.bcParameters = bcParameters;
    }

    /**
     * FIPS 203 §7.2: type check (length 1184) and modulus check (every 12-bit coefficient of t is below q).
     * Checked here explicitly, before BouncyCastle sees the key, so the guarantee does not depend on a
     * library version; BouncyCastle 1.83 also rejects such keys (tested).
     */
    public static MlKemPublicKey fromBytes(byte[] encoded) {
        Objects.requireNonNull(encoded, "encoded");
        if (encoded.length != MlKem.PUBLIC_KEY_BYTES) {
            throw new InvalidKeyMaterialException(
                    "ML-KEM-768 public key must be " + MlKem.PUBLIC_KEY_BYTES + " bytes, was " + encoded.length);
        }
        if (!passesModulusCheck(encoded)) {
            throw new InvalidKeyMaterialException("ML-KEM-768 public key fails the FIPS 203 modulus check");
        }
        byte[] copy = encoded.clone();
        MLKEMPublicKeyParameters params;
        try {
            params = new MLKEMPublicKeyParameters(MLKEMParameters.ml_kem_768, copy);
        } catch (IllegalArgumentException e) {
            throw new InvalidKeyMaterialException("ML-KEM-768 public key rejected: " + e.getMessage());
        }
        return new MlKemPublicKey(copy, params);
    }

    /**
     * ByteEncode12(ByteDecode12(ek[0:1152])) == ek[0:1152] holds exactly when no decoded coefficient
     * reaches q (ByteDecode12 reduces mod q), so checking each coefficient is equivalent and cheaper.
     */
    static boolean passesModulusCheck(byte[] ek) {
        boolean ok = true;
        for (int i = 0; i < ENCODED_T_BYTES; i += 3) {
            int b0 = ek[i] & 0xff;
            int b1 = ek[i + 1] & 0xff;
            int b2 = ek[i + 2] & 0xff;
            int c0 = b0 | ((b1 & 0x0f) << 8);
            int c1 = (b1 >>> 4) | (b2 << 4);
            ok &= c0 < Q & c1 < Q;
        }
        return ok;
    }

    /** The 1184-byte encoding (a copy). */
    public byte[] toBytes() {
        return encoded.clone();
    }

    /** keccak256(ek): the protocol's {@code kemKeyHash}. */
    public byte[] keccak256() {
        return Hashes.keccak256(encoded);
    }

    MLKEMPublicKeyParameters bcParameters() {
        return bcParameters;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MlKemPublicKey other && Arrays.equals(encoded, other.encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
        return "MlKemPublicKey[" + HexFormat.of().formatHex(encoded, 0, 8) + "...]";
    }
}
