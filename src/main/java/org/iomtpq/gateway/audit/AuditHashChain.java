package org.iomtpq.gateway.audit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.iomtpq.gateway.crypto.Hashes;
import org.iomtpq.gateway.protocol.Lp;

/**
 * The head of one audit stream: hands out the next entry, each hashed over its predecessor (PROTOCOL.md §10).
 * Thread-safe; callers persist entries in the order they were produced (seq has no gaps).
 */
public final class AuditHashChain {

    private static final byte[] DOMAIN = "iomt-pq/v1/audit".getBytes(StandardCharsets.UTF_8);
    public static final String ZERO_HASH = "0x" + "00".repeat(32);

    private final String stream;
    private final String gatewayId;
    private long lastSeq;
    private String lastHash;

    /** Continues a stream whose last stored entry is {@code lastSeq}/{@code lastHash} (0 / ZERO_HASH for a new one). */
    public AuditHashChain(String stream, String gatewayId, long lastSeq, String lastHash) {
        this.stream = stream;
        this.gatewayId = gatewayId;
        this.lastSeq = lastSeq;
        this.lastHash = lastHash;
    }

    public String stream() {
        return stream;
    }

    /**
     * The entry that would follow the current head. The head moves only in {@link #advance}, after the entry is
     * stored, so a failed write leaves no gap in {@code seq}.
     */
    public synchronized AuditEntry next(AuditEvent event, String timestamp) {
        long seq = lastSeq + 1;
        String hash = hash(stream, seq, lastHash, event.eventType(), event.deviceId(), gatewayId, timestamp,
                event.status(), event.message());
        return new AuditEntry(stream, seq, lastHash, hash, event.eventType(), event.deviceId(), gatewayId,
                timestamp, event.status(), event.message());
    }

    /** Moves the head to {@code stored}, which must be the entry {@link #next} produced from the current head. */
    public synchronized void advance(AuditEntry stored) {
        advance(stored, 1);
    }

    /**
     * The entries for {@code events}, in order, each linked to the one before, all stamped {@code timestamp}; the head
     * does not move (see {@link #advance(AuditEntry, int)}).
     */
    public synchronized List<AuditEntry> nextAll(List<AuditEvent> events, String timestamp) {
        List<AuditEntry> out = new ArrayList<>(events.size());
        long seq = lastSeq;
        String prev = lastHash;
        for (AuditEvent event : events) {
            seq++;
            String hash = hash(stream, seq, prev, event.eventType(), event.deviceId(), gatewayId, timestamp,
                    event.status(), event.message());
            out.add(new AuditEntry(stream, seq, prev, hash, event.eventType(), event.deviceId(), gatewayId, timestamp,
                    event.status(), event.message()));
            prev = hash;
        }
        return out;
    }

    /** Moves the head past {@code count} stored entries ending with {@code last}. */
    public synchronized void advance(AuditEntry last, int count) {
        if (last.seq() != lastSeq + count) {
            throw new IllegalStateException("audit entry " + last.seq() + " does not follow the head " + lastSeq);
        }
        if (count == 1 && !last.prevHash().equals(lastHash)) {
            throw new IllegalStateException("audit entry " + last.seq() + " does not link to the head");
        }
        lastSeq = last.seq();
        lastHash = last.hash();
    }

    public synchronized long lastSeq() {
        return lastSeq;
    }

    /** PROTOCOL.md §10: {@code streamIdHash = keccak256(UTF8(stream))}, as 0x hex; anchors are filed under it on chain. */
    public static String streamIdHash(String stream) {
        return "0x" + HexFormat.of().formatHex(Hashes.keccak256(stream.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** Recomputes an entry's hash from its fields; a verifier compares it with the stored one. */
    public static String hash(AuditEntry e) {
        return hash(e.stream(), e.seq(), e.prevHash(), e.eventType(), e.deviceId(), e.gatewayId(), e.timestamp(),
                e.status(), e.message());
    }

    static String hash(String stream, long seq, String prevHash, String eventType, String deviceId, String gatewayId,
                       String timestamp, AuditStatus status, String message) {
        byte[] preimage = Lp.builder()
                .lp(DOMAIN)
                .lp(stream)
                .u64(seq)
                .raw(fromHex(prevHash))
                .lp(eventType)
                .lp(deviceId == null ? "" : deviceId)
                .lp(gatewayId)
                .lp(timestamp)
                .lp(status.name())
                .lp(message)
                .toByteArray();
        return "0x" + HexFormat.of().formatHex(Hashes.sha256(preimage));
    }

    private static byte[] fromHex(String hex0x) {
        if (!hex0x.startsWith("0x") || hex0x.length() != 66) {
            throw new IllegalArgumentException("prevHash must be 0x + 64 hex digits");
        }
        return HexFormat.of().parseHex(hex0x.substring(2));
    }
}
