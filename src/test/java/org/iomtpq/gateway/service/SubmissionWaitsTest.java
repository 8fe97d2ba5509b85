package org.iomtpq.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

/**
 * The race behind "the first enrollment answered txHash null" in full test runs: a relay round read the outbox entry
 * before the device record was written (so it held the entry back), the answer's wait began meanwhile, and the end of
 * that round told the answer "null". A round may only end the waits that began before it read the outbox.
 */
class SubmissionWaitsTest {

    private static Map<String, String> seen(String id, String hash) {
        Map<String, String> seen = new HashMap<>();
        seen.put(id, hash);
        return seen;
    }

    @Test
    void aRoundEndsWithNullOnlyTheWaitsThatBeganBeforeItReadTheOutbox() throws Exception {
        SubmissionWaits waits = new SubmissionWaits(Duration.ofSeconds(30));
        CompletableFuture<String> early = waits.txHashOf("register/EARLY/0x01");
        long roundStarted = waits.roundStarts();
        CompletableFuture<String> late = waits.txHashOf("register/LATE/0x02"); // began while the round ran

        Map<String, String> both = seen("register/EARLY/0x01", null);
        both.put("register/LATE/0x02", null);
        waits.roundEnded(both, roundStarted);

        assertTrue(early.isDone());
        assertNull(early.get(), "it waited through a whole round that did not send it: null is the answer");
        assertFalse(late.isDone(), "the round read the outbox before this wait began: not its to end with null");

        waits.roundEnded(seen("register/LATE/0x02", "0xabc"), roundStarted);
        assertEquals("0xabc", late.get(), "a hash ends any wait, whenever it began");
    }

    @Test
    void theNextRoundMayEndALateWaitWithNull() throws Exception {
        SubmissionWaits waits = new SubmissionWaits(Duration.ofSeconds(30));
        long firstRound = waits.roundStarts();
        CompletableFuture<String> late = waits.txHashOf("register/LATE/0x02");
        waits.roundEnded(seen("register/LATE/0x02", null), firstRound);
        assertFalse(late.isDone());
        waits.roundEnded(seen("register/LATE/0x02", null), waits.roundStarts());
        assertTrue(late.isDone());
        assertNull(late.get());
    }
}
