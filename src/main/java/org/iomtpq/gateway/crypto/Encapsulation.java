package org.iomtpq.gateway.crypto;

import java.util.Objects;

/** Result of ML-KEM encapsulation: the public ciphertext to send and the secret to keep. */
public record Encapsulation(byte[] ciphertext, SecretBytes sharedSecret) {

    public Encapsulation {
        Objects.requireNonNull(ciphertext, "ciphertext");
        Objects.requireNonNull(sharedSecret, "sharedSecret");
        if (ciphertext.length != MlKem.CIPHERTEXT_BYTES) {
            throw new IllegalArgumentException("ML-KEM-768 ciphertext must be " + MlKem.CIPHERTEXT_BYTES + " bytes");
        }
        ciphertext = ciphertext.clone();
    }

    /** A copy: records hand out their array otherwise, and a caller could then alter this value. */
    @Override
    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    @Override
    public String toString() {
        return "Encapsulation[ciphertext=" + ciphertext.length + " bytes, sharedSecret=" + sharedSecret + "]";
    }
}
