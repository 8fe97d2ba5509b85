package org.iomtpq.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.iomtpq.gateway.audit.AuditEntry;
import org.iomtpq.gateway.audit.AuditEvent;
import org.iomtpq.gateway.audit.AuditHashChain;
import org.iomtpq.gateway.testsupport.InMemoryMongo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The audit reads a timer makes (anchoring) use exact (stream, seq) lookups only. */
class AuditRepositoryTest {

    private final InMemoryMongo mongo = new InMemoryMongo();
    private final AuditRepository audit = new AuditRepository(mongo.db());

    @AfterEach
    void stop() {
        mongo.close();
    }

    private void append(String stream, int count) {
        AuditHashChain chain = new AuditHashChain(stream, "gw", 0, AuditHashChain.ZERO_HASH);
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(AuditEvent.success("AUTHENTICATED", "D1", "ok " + i));
        }
        audit.insertAll(chain.nextAll(events, "2026-11-23T20:00:00.000Z"));
    }

    @Test
    void theHighestSeqIsFoundFromAnyKnownStartingPoint() {
        append("gw/a", 1_000);
        append("gw/b", 3);
        for (long known : new long[] {0, 1, 511, 999, 1_000, 5_000}) {
            assertEquals(1_000, audit.highestSeqFrom("gw/a", known), "from " + known);
        }
        assertEquals(3, audit.highestSeqFrom("gw/b", 0));
        assertEquals(0, audit.highestSeqFrom("gw/none", 0));
        assertEquals(0, audit.highestSeqFrom("gw/none", 7), "a wrong hint is not trusted");
    }

    @Test
    void aRangeIsReadInOrderAndAGapShowsAsAMissingEntry() {
        append("gw/a", 20);
        mongo.db().getCollection(Collections.AUDIT_LOGS).deleteOne(new org.bson.Document("stream", "gw/a").append("seq", 12L));
        List<AuditEntry> range = audit.range("gw/a", 10, 14);
        assertEquals(List.of(10L, 11L, 13L, 14L), range.stream().map(AuditEntry::seq).toList());
    }
}
