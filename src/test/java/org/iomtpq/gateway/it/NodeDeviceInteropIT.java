package org.iomtpq.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.iomtpq.gateway.testsupport.SystemPackages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The independent device client in interop/node-device — written in Node.js from PROTOCOL.md alone, on
 * @noble/post-quantum instead of BouncyCastle — runs every step over HTTP and MQTT against a real gateway and checks
 * every answer, error code and the audit hash chain. Any disagreement with the spec fails this test.
 */
class NodeDeviceInteropIT {

    private static final Path CLIENT_DIR = Path.of("interop", "node-device");

    @TempDir
    Path dir;

    @Test
    void anIndependentClientInteroperatesOverHttpAndMqtt() throws Exception {
        SystemPackages.requireOrSkip(Files.isDirectory(CLIENT_DIR.resolve("node_modules")) ? null
                : CLIENT_DIR.resolve("node_modules") + " missing: run npm ci --prefix " + CLIENT_DIR);
        try (GatewayFixture gw = GatewayFixture.start(dir)) {
            Path log = dir.resolve("client.log");
            Process client = new ProcessBuilder(List.of("node", "client.mjs", "--http", gw.api(), "--mqtt", gw.mqttUrl(),
                    "--token", gw.operatorToken(), "--auditor-token", gw.auditorToken(), "--transport", "both"))
                    .directory(CLIENT_DIR.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean finished = client.waitFor(5, TimeUnit.MINUTES);
            if (!finished) {
                client.destroyForcibly();
            }
            String output = read(log);
            assertTrue(finished, "the client did not finish within 5 minutes:\n" + output);
            assertEquals(0, client.exitValue(), "the independent client reported failures:\n" + output);
            assertTrue(output.contains("PASS"), "the client ran no checks:\n" + output);
        }
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }
}
