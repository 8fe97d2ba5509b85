package org.iomtpq.gateway.protocol;

import org.iomtpq.gateway.crypto.InvalidKeyMaterialException;
import org.iomtpq.gateway.crypto.MlDsaPublicKey;
import org.iomtpq.gateway.crypto.MlKemPublicKey;

/** Turns raw public-key fields into validated keys, mapping every failure to {@code INVALID_KEY} (§0). */
final class PublicKeys {
    private PublicKeys() {
    }

    static MlKemPublicKey kem(byte[] raw, String field) {
        try {
            return MlKemPublicKey.fromBytes(raw);
        } catch (InvalidKeyMaterialException e) {
            // The crypto message names only lengths and the failed check: safe to pass on.
            throw ProtocolException.invalidKey(field + ": " + e.getMessage());
        }
    }

    static MlDsaPublicKey sig(byte[] raw, String field) {
        try {
            return MlDsaPublicKey.fromBytes(raw);
        } catch (InvalidKeyMaterialException e) {
            throw ProtocolException.invalidKey(field + ": " + e.getMessage());
        }
    }
}
