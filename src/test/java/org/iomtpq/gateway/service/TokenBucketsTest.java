package org.iomtpq.gateway.service;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class TokenBucketsTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);

    private TokenBuckets buckets(double perSecond, double burst, int tracked) {
        return new TokenBuckets(new TokenBuckets.Rate(perSecond, burst), tracked, nanos::get);
    }

    @Test
    void aBurstIsSpentThenRefilledAtTheRate() {
        TokenBuckets b = buckets(2, 3, 10);
        assertTrue(b.tryTake("a") && b.tryTake("a") && b.tryTake("a"));
        assertFalse(b.tryTake("a"), "burst of 3 spent");
        assertFalse(b.hasToken("a"));
        nanos.addAndGet(499_000_000L);
        assertFalse(b.tryTake("a"), "0.998 of a token after 499 ms at 2/s");
        nanos.addAndGet(2_000_000L);
        assertTrue(b.tryTake("a"), "one token back after 500 ms");
        nanos.addAndGet(60_000_000_000L);
        assertTrue(b.tryTake("a") && b.tryTake("a") && b.tryTake("a"));
        assertFalse(b.tryTake("a"), "a long pause refills to the burst, not beyond");
    }

    @Test
    void keysAreCountedApartAndHasTokenSpendsNothing() {
        TokenBuckets b = buckets(1, 1, 10);
        assertTrue(b.hasToken("a") && b.hasToken("a"));
        assertTrue(b.tryTake("a"));
        assertFalse(b.tryTake("a"));
        assertTrue(b.tryTake("b"), "another key has its own bucket");
    }

    @Test
    void onlyTheMostRecentlyUsedKeysAreKept() {
        TokenBuckets b = buckets(1, 1, 2);
        assertTrue(b.tryTake("a"));
        assertTrue(b.tryTake("b"));
        assertFalse(b.tryTake("a"), "a is remembered (and now the most recently used)");
        assertTrue(b.tryTake("c"), "c pushes out b, the least recently used");
        assertFalse(b.tryTake("a"), "a is still remembered");
        assertTrue(b.tryTake("b"), "b was forgotten: a full bucket again");
    }

    @Test
    void rateZeroIsOff() {
        TokenBuckets b = buckets(0, 0, 1);
        for (int i = 0; i < 1000; i++) {
            assertTrue(b.tryTake("a"));
        }
        assertThrows(IllegalArgumentException.class, () -> new TokenBuckets.Rate(1, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new TokenBuckets.Rate(-1, 1));
    }
}
