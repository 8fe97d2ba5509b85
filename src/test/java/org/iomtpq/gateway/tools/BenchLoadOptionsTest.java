package org.iomtpq.gateway.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What bench passes to its load generator's JVM must pass the load generator's option check. */
class BenchLoadOptionsTest {

    @Test
    void theArgumentsOfAGatewayRunAndOfTheBareBrokerCeilingAreAccepted(@TempDir Path dir) {
        String report = dir.resolve("bench-load.json").toString();
        Map<String, String> gateway = BenchCommand.LOAD_OPTIONS.parse(new String[] {"--http", "http://127.0.0.1:41234/api/v1",
            "--mqtt", "tcp://127.0.0.1:41235", "--token", "t0ken", "--mongo", "mongodb://127.0.0.1:41236", "--database",
            "iomt", "--devices", "50", "--seconds", "20", "--rate", "0", "--transport", "both", "--handshakes", "500",
            "--unsecured", "false", "--out", report, "--mode", "SOAK", "--minutes-out", dir.resolve("m.jsonl").toString()})
                .asMap();
        assertEquals("http://127.0.0.1:41234/api/v1", gateway.get("http"));
        assertEquals(14, gateway.size());
        Map<String, String> ceiling = BenchCommand.LOAD_OPTIONS.parse(new String[] {"--mode", "BARE_BROKER", "--mqtt",
            "tcp://127.0.0.1:41235", "--transport", "mqtt", "--devices", "25", "--seconds", "20", "--rate", "0", "--out",
            report}).asMap();
        assertEquals("BARE_BROKER", ceiling.get("mode"));
    }
}
