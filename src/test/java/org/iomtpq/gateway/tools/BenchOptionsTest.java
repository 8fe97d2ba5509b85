package org.iomtpq.gateway.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void growthIsASwitchAndTheOtherOptionsTakeValues() {
        Map<String, String> o = BenchCommand.OPTIONS.parse(
                new String[] {"--devices", "7", "--growth", "--growth-sizes", "0,5"}).asMap();
        assertEquals(Map.of("devices", "7", "growth", "yes", "growth-sizes", "0,5"), o);
        assertEquals("yes", BenchCommand.OPTIONS.parse(new String[] {"--growth"}).asMap().get("growth"));
        assertThrows(IllegalArgumentException.class, () -> BenchCommand.OPTIONS.parse(new String[] {"--devices"}));
        assertThrows(IllegalArgumentException.class, () -> BenchCommand.OPTIONS.parse(new String[] {"--soak"}));
    }

    @Test
    void growthPlanDefaultsToTheIssuesSizesAndTheEmptyStoreHasNoSessions() {
        GrowthBench.Plan plan = GrowthBench.Plan.from(Map.of());
        assertEquals(List.of(0L, 100_000L, 1_000_000L), plan.sizes());
        assertEquals(0, plan.sessionsFor(0));
        assertEquals(100_000, plan.sessionsFor(1_000_000));
        assertEquals(List.of(0L, 20_000L, 0L), GrowthBench.Plan.from(Map.of("growth-sizes", "0, 20_000,0")).sizes());
        assertThrows(IllegalArgumentException.class, () -> GrowthBench.Plan.from(Map.of("growth-sizes", "0,-1")));
        assertThrows(IllegalArgumentException.class, () -> GrowthBench.Plan.from(Map.of("growth-sizes", "x")));
    }

    @Test
    void soakRunsMqttAt500PerSecondFrom200DevicesForWholeMinutes() {
        Map<String, String> o = SoakBench.options(Map.of("soak", "30"));
        assertEquals("1800", o.get("seconds"));
        assertEquals("200", o.get("devices"));
        assertEquals("500", o.get("rate"));
        assertEquals("200", o.get("handshakes"));
        assertEquals("0", o.get("warmup"));
        assertEquals("50", SoakBench.options(Map.of("soak", "1", "devices", "50")).get("handshakes"));
        assertThrows(IllegalArgumentException.class, () -> SoakBench.options(Map.of("soak", "0")));
        assertThrows(IllegalArgumentException.class, () -> SoakBench.options(Map.of("soak", "2", "transport", "http")));
    }

    @Test
    void theCeilingIsMeasuredForMqttWithAsManyPublishersAsTheGatewayRunsHad() {
        assertTrue(BrokerCeiling.wanted(Map.of()));
        assertFalse(BrokerCeiling.wanted(Map.of("transport", "http")));
        assertFalse(BrokerCeiling.wanted(Map.of("ceiling", "no")));
        assertEquals(25, BrokerCeiling.mqttDevices(Map.of()));
        assertEquals(100, BrokerCeiling.mqttDevices(Map.of("transport", "mqtt", "devices", "100")));
    }

    @Test
    void theInMemoryStoreIsABenchOptionThatRefusesTheUnsecuredComparison() throws Exception {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        BenchCommand bench = new BenchCommand(new java.io.PrintStream(new java.io.ByteArrayOutputStream()),
                new java.io.PrintStream(err));
        assertEquals(2, bench.run(new String[] {"--store", "memory"}));
        assertTrue(err.toString().contains("--store memory needs --compare no"), err.toString());
        assertEquals(2, bench.run(new String[] {"--store", "mongod"}));
        assertTrue(BenchCommand.inMemoryStore(Map.of("store", "memory")));
        assertFalse(BenchCommand.inMemoryStore(Map.of()));
    }
}
