package org.iomtpq.gateway.service;

import java.time.Clock;

import org.iomtpq.gateway.audit.AuditEntry;
import org.iomtpq.gateway.audit.AuditEvent;
import org.iomtpq.gateway.audit.AuditHashChain;
import org.iomtpq.gateway.protocol.Timestamps;
import org.iomtpq.gateway.store.AuditRepository;

/**
 * Appends this instance's audit events to its hash-chained stream (PROTOCOL.md §10). Appends are serialized so
 * {@code seq} has no gaps; an entry counts only once it is stored.
 */
public final class AuditTrail {

    private final AuditHashChain chain;
    private final AuditRepository repository;
    private final Clock clock;

    public AuditTrail(String stream, String gatewayId, AuditRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
        this.chain = repository.last(stream)
                .map(last -> new AuditHashChain(stream, gatewayId, last.seq(), last.hash()))
                .orElseGet(() -> new AuditHashChain(stream, gatewayId, 0, AuditHashChain.ZERO_HASH));
    }

    public String stream() {
        return chain.stream();
    }

    public synchronized AuditEntry record(AuditEvent event) {
        AuditEntry entry = chain.next(event, Timestamps.format(clock.instant()));
        repository.insertAll(java.util.List.of(entry));
        chain.advance(entry);
        return entry;
    }
}
