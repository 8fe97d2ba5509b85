package org.iomtpq.gateway.service;

import java.time.Clock;
import java.util.List;

import org.iomtpq.gateway.audit.AuditEntry;
import org.iomtpq.gateway.audit.AuditEvent;
import org.iomtpq.gateway.audit.AuditHashChain;
import org.iomtpq.gateway.protocol.Timestamps;
import org.iomtpq.gateway.store.AuditRepository;

/**
 * Appends this instance's audit events to its hash-chained stream (PROTOCOL.md §10). Appends are serialized so
 * {@code seq} has no gaps; an entry counts only once it is stored. The head is read from the store on first use
 * (after the instance holds the stream's lease) and again after any failed write, because a write reported as
 * failed may still have been applied.
 */
public final class AuditTrail {

    private final String stream;
    private final String gatewayId;
    private final AuditRepository repository;
    private final Clock clock;
    private AuditHashChain chain;

    public AuditTrail(String stream, String gatewayId, AuditRepository repository, Clock clock) {
        this.stream = stream;
        this.gatewayId = gatewayId;
        this.repository = repository;
        this.clock = clock;
    }

    public String stream() {
        return stream;
    }

    public synchronized AuditEntry record(AuditEvent event) {
        if (chain == null) {
            chain = repository.last(stream)
                    .map(last -> new AuditHashChain(stream, gatewayId, last.seq(), last.hash()))
                    .orElseGet(() -> new AuditHashChain(stream, gatewayId, 0, AuditHashChain.ZERO_HASH));
        }
        AuditEntry entry = chain.next(event, Timestamps.format(clock.instant()));
        try {
            repository.insertAll(List.of(entry));
        } catch (RuntimeException e) {
            chain = null; // re-read the head next time
            throw e;
        }
        chain.advance(entry);
        return entry;
    }
}
