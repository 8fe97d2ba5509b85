package org.iomtpq.gateway.protocol;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.regex.Pattern;

/** The RFC 3339 UTC timestamps of §0. */
public final class Timestamps {
    private static final Pattern RFC3339_UTC =
            Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,9})?Z$");
    // Always three fractional digits: audit entries are hashed over the exact string (§10).
    private static final DateTimeFormatter MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Timestamps() {
    }

    public static boolean isWellFormed(String ts) {
        return ts != null && RFC3339_UTC.matcher(ts).matches();
    }

    /** Parses a §0 timestamp; anything else (including 2026-13-40T…) is {@code MALFORMED_REQUEST}. */
    public static Instant parse(String ts) {
        if (!isWellFormed(ts)) {
            throw ProtocolException.malformed("timestamp is not RFC 3339 UTC (yyyy-mm-ddThh:mm:ss[.f]Z)");
        }
        try {
            return Instant.parse(ts);
        } catch (DateTimeParseException e) {
            throw ProtocolException.malformed("timestamp is not a valid date and time");
        }
    }

    /** Throws {@code STALE_REQUEST} when |now - ts| exceeds {@link Limits#TIMESTAMP_SKEW}. */
    public static void requireFresh(String ts, Instant now) {
        Objects.requireNonNull(now, "now");
        Instant when = parse(ts);
        Duration skew = Duration.between(when, now).abs();
        if (skew.compareTo(Limits.TIMESTAMP_SKEW) > 0) {
            throw ProtocolException.stale("timestamp is more than "
                    + Limits.TIMESTAMP_SKEW.toSeconds() + " s away from the gateway's clock");
        }
    }

    /** Formats with millisecond precision, e.g. {@code 2026-11-23T19:00:00.123Z}. */
    public static String format(Instant instant) {
        return MILLIS.format(Objects.requireNonNull(instant, "instant"));
    }
}
