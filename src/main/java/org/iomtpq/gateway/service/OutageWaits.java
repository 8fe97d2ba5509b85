package org.iomtpq.gateway.service;

/**
 * How long the observation writer waits out a storage outage for messages whose transport keeps them unacknowledged
 * meanwhile (MQTT QoS 1): {@code retries} more attempts, the first after {@code firstDelayMillis}, each delay doubled
 * up to {@code maxDelayMillis} ({@code iomt.mqtt.storage-retries}, {@code iomt.mqtt.storage-retry-delay-ms}).
 */
public record OutageWaits(int retries, long firstDelayMillis, long maxDelayMillis) {

    /** Nothing is waited out: every caller learns of an outage at once. */
    public static final OutageWaits NONE = new OutageWaits(0, 0, 0);

    public OutageWaits {
        if (retries < 0 || firstDelayMillis < 0 || maxDelayMillis < firstDelayMillis) {
            throw new IllegalArgumentException("storage retries and delays must be >= 0, the maximum delay >= the first");
        }
    }

    /** The pause before retry {@code attempt} (0-based). */
    public long delayBefore(int attempt) {
        long delay = firstDelayMillis;
        for (int i = 0; i < attempt && delay < maxDelayMillis; i++) {
            delay *= 2;
        }
        return Math.min(delay, maxDelayMillis);
    }
}
