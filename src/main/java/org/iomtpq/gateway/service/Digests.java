package org.iomtpq.gateway.service;

import org.iomtpq.gateway.crypto.Hashes;
import org.iomtpq.gateway.protocol.Hex0x;

/** Small hash helpers shared by the services. */
final class Digests {

    private Digests() {
    }

    /** Identifies a message "byte-identical" to another (QoS 1 repeats). */
    static String messageHash(byte[] raw) {
        return Hex0x.encode(Hashes.sha256(raw));
    }

    /** The burnt-key fingerprint of one public key. */
    static String keyHash(byte[] publicKey) {
        return Hex0x.encode(Hashes.keccak256(publicKey));
    }
}
