package org.iomtpq.gateway.service;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Token buckets by key (a source address, a deviceId): each key may spend {@code burst} tokens at once and gets
 * {@code perSecond} back every second. Only the {@code tracked} most recently used keys are kept; a key dropped
 * for room starts again with a full bucket, which only ever errs towards letting a request through.
 */
public final class TokenBuckets {

    /** A bucket's shape; a rate of 0 turns the limit off. */
    public record Rate(double perSecond, double burst) {
        public Rate {
            if (perSecond < 0 || burst < 1 && perSecond > 0) {
                throw new IllegalArgumentException("a rate needs perSecond >= 0 and, when on, a burst of at least 1");
            }
        }

        public boolean off() {
            return perSecond == 0;
        }
    }

    private final Rate rate;
    private final LongSupplier nanos;
    /** In access order, so the eldest is the least recently used key. */
    private final Map<String, Bucket> buckets;

    private static final class Bucket {
        double tokens;
        long refilledAt;

        Bucket(double tokens, long refilledAt) {
            this.tokens = tokens;
            this.refilledAt = refilledAt;
        }
    }

    public TokenBuckets(Rate rate, int tracked, LongSupplier nanos) {
        if (tracked < 1) {
            throw new IllegalArgumentException("tracked must be at least 1");
        }
        this.rate = rate;
        this.nanos = nanos;
        this.buckets = new LinkedHashMap<>(Math.min(tracked, 1024), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
                return size() > tracked;
            }
        };
    }

    /** Spends one token of {@code key}; false (nothing spent) when its bucket is empty. Always true when off. */
    public synchronized boolean tryTake(String key) {
        if (rate.off()) {
            return true;
        }
        Bucket bucket = refilled(key);
        if (bucket.tokens < 1) {
            return false;
        }
        bucket.tokens -= 1;
        return true;
    }

    /** Whether {@code key} has a token left, spending none. Always true when off. */
    public synchronized boolean hasToken(String key) {
        return rate.off() || refilled(key).tokens >= 1;
    }

    /** Returns a token {@link #tryTake taken} for something that did not happen after all (up to the burst). */
    public synchronized void giveBack(String key) {
        Bucket bucket = buckets.get(key);
        if (!rate.off() && bucket != null) {
            bucket.tokens = Math.min(rate.burst(), bucket.tokens + 1);
        }
    }

    private Bucket refilled(String key) {
        long now = nanos.getAsLong();
        Bucket bucket = buckets.get(key);
        if (bucket == null) {
            bucket = new Bucket(rate.burst(), now);
            buckets.put(key, bucket);
            return bucket;
        }
        long elapsed = now - bucket.refilledAt;
        if (elapsed > 0) {
            bucket.tokens = Math.min(rate.burst(), bucket.tokens + elapsed / 1e9 * rate.perSecond());
            bucket.refilledAt = now;
        }
        return bucket;
    }
}
