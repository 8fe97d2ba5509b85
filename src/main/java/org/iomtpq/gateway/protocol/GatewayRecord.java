package org.iomtpq.gateway.protocol;

import org.iomtpq.gateway.crypto.Hashes;
import org.iomtpq.gateway.crypto.MlKemPublicKey;
import java.util.Arrays;
import java.util.Objects;

/**
 * The gateway record of §3 ({@code GET /api/v1/gateway}, retained MQTT topic). A device must not trust it
 * by itself: it checks {@link #kemKeyHashMatches()} and the on-chain {@code gatewayKey(gatewayAddress)},
 * or uses a pinned key. {@code gatewayAddress} may be {@code null} where no address is known.
 */
public record GatewayRecord(String gatewayId, byte[] kemPublicKey, String kemKeyHash, String gatewayAddress) {
    public GatewayRecord {
        Objects.requireNonNull(gatewayId, "gatewayId");
        Objects.requireNonNull(kemKeyHash, "kemKeyHash");
        kemPublicKey = Bytes.copy(kemPublicKey, "kemPublicKey");
    }

    @Override public byte[] kemPublicKey() { return kemPublicKey.clone(); }

    /** The record a gateway publishes for its static key; {@code gatewayAddress} may be null. */
    public static GatewayRecord of(String gatewayId, MlKemPublicKey kemPublicKey, String gatewayAddress) {
        return new GatewayRecord(gatewayId, kemPublicKey.toBytes(), Hex0x.encode(kemPublicKey.keccak256()), gatewayAddress);
    }

    /** The key as a validated ML-KEM key ({@code INVALID_KEY} on wrong length or failed FIPS 203 check). */
    public MlKemPublicKey kemKey() {
        return PublicKeys.kem(kemPublicKey, "kemPublicKey");
    }

    /** True when {@code kemKeyHash == keccak256(kemPublicKey)} (§5, checked by the device before use). */
    public boolean kemKeyHashMatches() {
        return Hex0x.encode(Hashes.keccak256(kemPublicKey)).equals(kemKeyHash);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GatewayRecord m && gatewayId.equals(m.gatewayId) && kemKeyHash.equals(m.kemKeyHash)
                && Objects.equals(gatewayAddress, m.gatewayAddress) && Arrays.equals(kemPublicKey, m.kemPublicKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(gatewayId, kemKeyHash, gatewayAddress, Arrays.hashCode(kemPublicKey));
    }

    @Override
    public String toString() {
        return "GatewayRecord[gatewayId=" + gatewayId + ", kemKeyHash=" + kemKeyHash + ", gatewayAddress="
                + gatewayAddress + "]";
    }
}
