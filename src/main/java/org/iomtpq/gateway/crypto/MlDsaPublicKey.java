package org.iomtpq.gateway.crypto;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.bouncycastle.pqc.crypto.mldsa.MLDSAParameters;
import org.bouncycastle.pqc.crypto.mldsa.MLDSAPublicKeyParameters;

/**
 * An ML-DSA-65 verification key (public data). FIPS 204 has no modulus check for pk: every 10-bit t1
 * value is in range, so a length check is the whole validation.
 */
public final class MlDsaPublicKey {

    private final byte[] encoded;
    private final MLDSAPublicKeyParameters bcParameters;

    private MlDsaPublicKey(byte[] encoded) {
        this.encoded = encoded;
        this.bcParameters = new MLDSAPublicKeyParameters(MLDSAParameters.ml_dsa_65, encoded);
    }

    public static MlDsaPublicKey fromBytes(byte[] encoded) {
        Objects.requireNonNull(encoded, "encoded");
        if (encoded.length != MlDsa.PUBLIC_KEY_BYTES) {
            throw new InvalidKeyMaterialException(
                    "ML-DSA-65 public key must be " + MlDsa.PUBLIC_KEY_BYTES + " bytes, was " + encoded.length);
        }
        try {
            return new MlDsaPublicKey(encoded.clone());
        } catch (IllegalArgumentException e) {
            throw new InvalidKeyMaterialException("ML-DSA-65 public key rejected: " + e.getMessage());
        }
    }

    /** The 1952-byte encoding (a copy). */
    public byte[] toBytes() {
        return encoded.clone();
    }

    MLDSAPublicKeyParameters bcParameters() {
        return bcParameters;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MlDsaPublicKey other && Arrays.equals(encoded, other.encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
        return "MlDsaPublicKey[" + HexFormat.of().formatHex(encoded, 0, 8) + "...]";
    }
}
