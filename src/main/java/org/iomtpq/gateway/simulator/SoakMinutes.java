package org.iomtpq.gateway.simulator;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Cuts a soak into minutes: from running totals (published, stored, handshakes) read at each minute's end, the
 * minute's own counts and rates, plus the publish → stored latencies sampled in that minute. The gateway-side figures
 * (CPU, heap) are added by the bench's JVM from the same wall-clock bounds.
 */
final class SoakMinutes {

    /** One minute of the soak; {@code startMillis}/{@code endMillis} are epoch ms, for the gateway-side meters. */
    record Minute(int minute, long startMillis, long endMillis, long published, long stored, long handshakes,
                  LatencySummary latency) {

        double seconds() {
            return (endMillis - startMillis) / 1000.0;
        }

        double storedPerSecond() {
            return seconds() <= 0 ? 0 : stored / seconds();
        }

        /** Appends this row to {@code file} as one JSON line, so a reader can follow the soak while it runs. */
        void appendJsonLine(java.nio.file.Path file) {
            try {
                java.nio.file.Files.writeString(file, new com.fasterxml.jackson.databind.ObjectMapper()
                        .writeValueAsString(toMap()) + "\n", java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("minute", minute);
            m.put("startMillis", startMillis);
            m.put("endMillis", endMillis);
            m.put("published", published);
            m.put("stored", stored);
            m.put("storedPerSecond", Math.round(storedPerSecond() * 100) / 100.0);
            m.put("handshakes", handshakes);
            m.put("latency", latency.toMap());
            return m;
        }
    }

    private int minute;
    private long startMillis;
    private long published;
    private long stored;
    private long handshakes;

    /** Totals at the start of the first minute. */
    SoakMinutes(long startMillis, long published, long stored, long handshakes) {
        this.startMillis = startMillis;
        this.published = published;
        this.stored = stored;
        this.handshakes = handshakes;
    }

    /** Ends the current minute at {@code endMillis} with the totals read then; the next minute starts there. */
    Minute close(long endMillis, long publishedTotal, long storedTotal, long handshakesTotal, double[] latenciesMs) {
        Minute m = new Minute(++minute, startMillis, endMillis, publishedTotal - published, storedTotal - stored,
                handshakesTotal - handshakes, LatencySummary.of(latenciesMs));
        startMillis = endMillis;
        published = publishedTotal;
        stored = storedTotal;
        handshakes = handshakesTotal;
        return m;
    }
}
