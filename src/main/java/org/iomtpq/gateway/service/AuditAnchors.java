package org.iomtpq.gateway.service;

import java.time.Clock;
import java.util.List;

import org.iomtpq.gateway.audit.AuditEntry;
import org.iomtpq.gateway.audit.AuditHashChain;
import org.iomtpq.gateway.audit.MerkleTree;
import org.iomtpq.gateway.chain.RegistryClient;
import org.iomtpq.gateway.chain.RegistryContract;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.store.AuditRepository;
import org.iomtpq.gateway.store.OutboxEntry;
import org.iomtpq.gateway.store.OutboxRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.datatypes.Type;

/**
 * Anchors this instance's audit stream on chain (PROTOCOL.md §10): the RFC 6962 Merkle root of the entries since the
 * last anchor goes through the outbox as {@code anchorAudit}. The chain is the source of truth for where the last
 * anchor ended, so anchors stay contiguous across restarts; one anchor per stream is in flight at a time.
 */
public final class AuditAnchors {

    private static final Logger LOG = LoggerFactory.getLogger(AuditAnchors.class);

    private final String stream;
    private final AuditRepository auditRepository;
    private final OutboxRepository outbox;
    private final RegistryClient registry;
    private final int maxBatch;
    private final Clock clock;

    public AuditAnchors(String stream, AuditRepository auditRepository, OutboxRepository outbox, RegistryClient registry,
                        int maxBatch, Clock clock) {
        this.stream = stream;
        this.auditRepository = auditRepository;
        this.outbox = outbox;
        this.registry = registry;
        this.maxBatch = maxBatch;
        this.clock = clock;
    }

    /** The last seq of {@code stream} anchored on chain (0 if none). */
    public long lastAnchoredSeq(String stream) {
        List<Type> out = registry.call(registry.settings().requireRegistry(),
                RegistryContract.streamAnchor(Hex0x.decode32(AuditHashChain.streamIdHash(stream))));
        return ((Number) out.get(1).getValue()).longValue();
    }

    /** Queues the next anchor if there are unanchored entries and none is in flight. Called by a timer route. */
    public void anchorDue() {
        if (outbox.inFlight(OutboxEntry.Op.ANCHOR, stream, clock.instant())) {
            return;
        }
        long anchored = lastAnchoredSeq(stream);
        long head = auditRepository.highestSeqFrom(stream, anchored); // no sort: that reads every audit entry
        if (head <= anchored) {
            return;
        }
        long first = anchored + 1;
        long last = Math.min(head, anchored + maxBatch);
        List<AuditEntry> entries = auditRepository.range(stream, first, last);
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).seq() != first + i) {
                LOG.error("audit stream {} has a gap at seq {}: not anchoring until it is explained", stream, first + i);
                return;
            }
        }
        if (entries.size() != last - first + 1) {
            LOG.error("audit stream {}: expected entries {}..{}, found {}", stream, first, last, entries.size());
            return;
        }
        if (entries.stream().allMatch(e -> "AUDIT_ANCHORED".equals(e.eventType()))) {
            return; // only the records of earlier anchors: anchoring them alone would anchor forever, one per interval
        }
        byte[] root = MerkleTree.root(entries.stream().map(e -> Hex0x.decode32(e.hash())).toList());
        outbox.add(OutboxEntry.anchor(stream, AuditHashChain.streamIdHash(stream), first, last, Hex0x.encode(root), clock.instant()));
        LOG.info("anchoring audit entries {}..{} of {}", first, last, stream);
    }
}
