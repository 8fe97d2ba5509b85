package org.iomtpq.gateway.chain;

/**
 * A decoded registry log (PROTOCOL.md §9 events). Every event carries the transaction and block it came
 * from, so consumers can make their handling idempotent (the same log may be seen twice across restarts).
 * Byte arrays are the caller's copies: records do not defend them, so do not share them further.
 */
public sealed interface RegistryEvent {

    String txHash();

    long blockNumber();

    /** {@code KeyRegistered(deviceIdHash indexed, keyCommitment, gateway indexed)}: registration and rotation. */
    record KeyRegistered(byte[] deviceIdHash, byte[] keyCommitment, String gateway, String txHash, long blockNumber)
            implements RegistryEvent {
    }

    /** {@code KeyDeactivated(deviceIdHash indexed, gateway indexed)}; gateway may be the owner's address. */
    record KeyDeactivated(byte[] deviceIdHash, String gateway, String txHash, long blockNumber) implements RegistryEvent {
    }

    /** {@code AuditAnchored(gateway indexed, streamIdHash indexed, firstSeq, lastSeq, merkleRoot)}. */
    record AuditAnchored(String gateway, byte[] streamIdHash, long firstSeq, long lastSeq, byte[] merkleRoot,
            String txHash, long blockNumber) implements RegistryEvent {
    }

    /** {@code GatewayAuthorized(gateway indexed, kemKeyHash)}; emitted again on re-authorization with a new key. */
    record GatewayAuthorized(String gateway, byte[] kemKeyHash, String txHash, long blockNumber) implements RegistryEvent {
    }

    /** {@code GatewayRemoved(gateway indexed)}. */
    record GatewayRemoved(String gateway, String txHash, long blockNumber) implements RegistryEvent {
    }
}
