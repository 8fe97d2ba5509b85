package org.iomtpq.gateway.store;

import java.time.Instant;

/**
 * One chain operation waiting to reach the registry (PROTOCOL.md §9). Written in the same step that changes local
 * state, relayed in creation order. The signed transaction is stored before it is broadcast, so a restart
 * re-broadcasts the same bytes (same hash) instead of sending a second transaction.
 * {@code kemPublicKey}/{@code sigPublicKey} are set for ROTATE only: the keys the device switches to when it is mined.
 */
public record OutboxEntry(String id, Op op, String deviceId, String deviceIdHash, String commitment, byte[] kemPublicKey,
                          byte[] sigPublicKey, Long firstSeq, Long lastSeq, Status status, Long nonce, String rawTx,
                          String txHash, int attempts, Instant createdAt, Instant nextAttemptAt, String lastError) {

    /**
     * Device operations carry deviceId, deviceIdHash and a key commitment. ANCHOR reuses the fields for an audit anchor:
     * deviceId = the stream, deviceIdHash = keccak256(stream), commitment = the Merkle root of entries firstSeq..lastSeq.
     */
    public enum Op { REGISTER, ROTATE, DEACTIVATE, ANCHOR }

    public enum Status {
        /** Not signed yet. */
        PENDING,
        /** Signed and (perhaps) broadcast; waiting for the receipt. */
        SIGNED,
        CONFIRMED,
        REVERTED,
        /** Local state moved on before it was sent (e.g. revoked before the registration went out). */
        CANCELLED
    }

    public static OutboxEntry pending(Op op, String deviceId, String deviceIdHash, String commitment, byte[] kem, byte[] sig,
                                      Instant now) {
        String id = op.name().toLowerCase(java.util.Locale.ROOT) + "/" + deviceId + "/" + commitment;
        return new OutboxEntry(id, op, deviceId, deviceIdHash, commitment, kem, sig, null, null, Status.PENDING, null, null,
                null, 0, now, now, null);
    }

    public static OutboxEntry anchor(String stream, String streamIdHash, long firstSeq, long lastSeq, String merkleRoot,
                                     Instant now) {
        String id = "anchor/" + stream + "/" + firstSeq + "-" + lastSeq;
        return new OutboxEntry(id, Op.ANCHOR, stream, streamIdHash, merkleRoot, null, null, firstSeq, lastSeq,
                Status.PENDING, null, null, null, 0, now, now, null);
    }
}
