package org.iomtpq.gateway.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoakMinutesTest {

    @Test
    void eachMinuteHasItsOwnCountsFromTheRunningTotalsAndStartsWhereTheLastEnded() {
        SoakMinutes minutes = new SoakMinutes(1_000_000, 5, 3, 200);

        SoakMinutes.Minute first = minutes.close(1_060_000, 30_005, 29_003, 200, new double[] {4, 2, 100});
        SoakMinutes.Minute second = minutes.close(1_120_000, 60_005, 59_003, 400, new double[0]);

        assertEquals(1, first.minute());
        assertEquals(30_000, first.published());
        assertEquals(29_000, first.stored());
        assertEquals(0, first.handshakes());
        assertEquals(29_000 / 60.0, first.storedPerSecond(), 1e-9);
        assertEquals(4, first.latency().p50Ms());
        assertEquals(100, first.latency().p99Ms());
        assertEquals(2, second.minute());
        assertEquals(1_060_000, second.startMillis());
        assertEquals(30_000, second.stored());
        assertEquals(200, second.handshakes());
        assertEquals(0, second.latency().count());
    }

    @Test
    void rowsAreAppendedAsOneJsonLineEach(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("minutes.jsonl");
        SoakMinutes minutes = new SoakMinutes(0, 0, 0, 0);
        minutes.close(60_000, 10, 9, 0, new double[] {1.5}).appendJsonLine(file);
        minutes.close(120_000, 20, 20, 7, new double[0]).appendJsonLine(file);

        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size());
        JsonNode second = new ObjectMapper().readTree(lines.get(1));
        assertEquals(2, second.path("minute").asInt());
        assertEquals(11, second.path("stored").asLong());
        assertEquals(7, second.path("handshakes").asLong());
        assertEquals(60_000, second.path("startMillis").asLong());
        assertEquals(1.5, new ObjectMapper().readTree(lines.get(0)).path("latency").path("p50Ms").asDouble());
    }
}
