package org.iomtpq.gateway.store;

import java.time.Instant;
import java.util.List;

import org.iomtpq.gateway.protocol.DeviceStatus;

/**
 * A device as stored in {@code device_keys}. Public keys are public data; {@code keyHistory} holds the keccak256 of
 * every public key the device ever had, so revoked or rotated-away keys are burnt (PROTOCOL.md §4, §5a).
 * {@code enrollMessageHash}/{@code rotateMessageHash} identify the last accepted message so a byte-identical
 * QoS 1 repeat is answered as the original was (§3).
 */
public record DeviceRecord(String deviceId, String deviceType, DeviceStatus status, byte[] kemPublicKey, byte[] sigPublicKey,
                           String deviceIdHash, String keyCommitment, String pendingKeyCommitment, String txHash,
                           String revocationTxHash, String enrolledVia, Instant enrolledAt, Instant updatedAt,
                           Instant revokedAt, String revocationReason, String enrollMessageHash, String rotateMessageHash,
                           List<String> keyHistory) {

    public DeviceRecord {
        keyHistory = List.copyOf(keyHistory);
    }

    public boolean hadKey(String keyHashHex) {
        return keyHistory.contains(keyHashHex);
    }
}
