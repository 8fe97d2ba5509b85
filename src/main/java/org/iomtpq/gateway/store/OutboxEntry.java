package org.iomtpq.gateway.store;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * One chain operation waiting to reach the registry (PROTOCOL.md §9). Written in the same step that changes local
 * state; operations on the same device are relayed in creation order. The signed transaction is stored before it is
 * broadcast, so a restart re-broadcasts the same bytes (same hash) instead of sending a second transaction.
 * {@code kemPublicKey}/{@code sigPublicKey} are set for ROTATE only: the keys the device switches to when it is mined.
 * <p>
 * Registrations travel together: a {@link Op#REGISTER_BATCH} entry holds the one {@code registerDeviceKeys}
 * transaction ({@code rawTx}) and the ids of the REGISTER entries it carries ({@code members}); each member names it
 * in {@code batchId} and shares its {@code txHash} and {@code nonce}, but has no {@code rawTx} of its own.
 * {@code alone} marks a registration whose batch reverted: it goes out as a single {@code registerDeviceKey} so that
 * only the registration that really fails is refused.
 */
public record OutboxEntry(String id, Op op, String deviceId, String deviceIdHash, String commitment, byte[] kemPublicKey,
                          byte[] sigPublicKey, Long firstSeq, Long lastSeq, Status status, Long nonce, String rawTx,
                          String txHash, int attempts, Instant createdAt, Instant nextAttemptAt, String lastError,
                          List<String> members, String batchId, boolean alone) {

    /**
     * Device operations carry deviceId, deviceIdHash and a key commitment. ANCHOR reuses the fields for an audit anchor:
     * deviceId = the stream, deviceIdHash = keccak256(stream), commitment = the Merkle root of entries firstSeq..lastSeq.
     * REGISTER_BATCH is a transaction, not a device operation: its deviceId is its own id (it orders nothing).
     */
    public enum Op { REGISTER, ROTATE, DEACTIVATE, ANCHOR, REGISTER_BATCH }

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

    public OutboxEntry {
        members = members == null ? List.of() : List.copyOf(members);
    }

    public static OutboxEntry pending(Op op, String deviceId, String deviceIdHash, String commitment, byte[] kem, byte[] sig,
                                      Instant now) {
        String id = op.name().toLowerCase(Locale.ROOT) + "/" + deviceId + "/" + commitment;
        return new OutboxEntry(id, op, deviceId, deviceIdHash, commitment, kem, sig, null, null, Status.PENDING, null, null,
                null, 0, now, now, null, List.of(), null, false);
    }

    public static OutboxEntry anchor(String stream, String streamIdHash, long firstSeq, long lastSeq, String merkleRoot,
                                     Instant now) {
        String id = "anchor/" + stream + "/" + firstSeq + "-" + lastSeq;
        return new OutboxEntry(id, Op.ANCHOR, stream, streamIdHash, merkleRoot, null, null, firstSeq, lastSeq,
                Status.PENDING, null, null, null, 0, now, now, null, List.of(), null, false);
    }

    /**
     * A signed {@code registerDeviceKeys} carrying {@code memberIds}. Its id is random: after a nonce taken elsewhere
     * the same registrations may be signed again with the same nonce, and that must be a new entry.
     */
    public static OutboxEntry signedBatch(List<String> memberIds, long nonce, String rawTx, String txHash, Instant now) {
        String id = "register-batch/" + UUID.randomUUID();
        return new OutboxEntry(id, Op.REGISTER_BATCH, id, null, null, null, null, null, null, Status.SIGNED, nonce, rawTx,
                txHash, 0, now, now, null, memberIds, null, false);
    }

    /** True when this entry holds a signed transaction of its own (a single operation or a batch), not a batch member. */
    public boolean carriesTransaction() {
        return status == Status.SIGNED && rawTx != null;
    }
}
