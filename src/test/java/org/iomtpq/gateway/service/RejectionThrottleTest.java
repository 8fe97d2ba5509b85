package org.iomtpq.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.iomtpq.gateway.audit.AuditEvent;
import org.iomtpq.gateway.testsupport.MutableClock;
import org.junit.jupiter.api.Test;

class RejectionThrottleTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T19:00:00Z"));

    @Test
    void aFloodFromOneSourceBecomesOneSummaryPerWindowAndEveryRejectionIsAccountedFor() {
        RejectionThrottle throttle = new RejectionThrottle(clock, Duration.ofSeconds(10), 3);
        List<AuditEvent> audited = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            audited.addAll(throttle.admit(AuditEvent.rejected("REPLAY_REJECTED", "BP_1", "telemetry rejected: REPLAY")));
        }
        audited.addAll(throttle.admit(AuditEvent.rejected("DECRYPT_FAILED", "BP_1", "telemetry rejected: DECRYPT_FAILED")));
        assertEquals(4, audited.size(), "3 REPLAY one by one, 1 DECRYPT_FAILED (another source)");
        assertTrue(throttle.expired().isEmpty(), "the window is still open");

        clock.advance(java.time.Duration.ofSeconds(10));
        List<AuditEvent> summaries = throttle.expired();
        assertEquals(1, summaries.size());
        assertTrue(summaries.get(0).message().startsWith("97 more REPLAY_REJECTED rejection(s)"), summaries.get(0).message());
        assertEquals("BP_1", summaries.get(0).deviceId());
        assertTrue(throttle.flush().isEmpty(), "nothing left to summarize");
    }

    @Test
    void theNextRejectionAfterAWindowCarriesThePreviousSummary() {
        RejectionThrottle throttle = new RejectionThrottle(clock, Duration.ofSeconds(10), 1);
        throttle.admit(AuditEvent.rejected("AUTH_FAILED", "D_1", "finished rejected: HANDSHAKE_FAILED"));
        throttle.admit(AuditEvent.rejected("AUTH_FAILED", "D_1", "finished rejected: HANDSHAKE_FAILED"));
        clock.advance(java.time.Duration.ofSeconds(11));
        List<AuditEvent> out = throttle.admit(AuditEvent.rejected("AUTH_FAILED", "D_1", "finished rejected: HANDSHAKE_FAILED"));
        assertEquals(2, out.size(), "the summary of the last window, then this rejection");
        assertTrue(out.get(0).message().startsWith("1 more AUTH_FAILED"));
    }
}
