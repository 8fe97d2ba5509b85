package org.iomtpq.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The independent device client in interop/node-device — written in Node.js from PROTOCOL.md alone, on
 * @noble/post-quantum instead of BouncyCastle — runs every step over HTTP and MQTT against a real gateway and checks
 * every answer, error code and the audit hash chain. Any disagreement with the spec fails this test.
 */
class NodeDeviceInteropIT {

    @TempDir
    Path dir;

    @Test
    void anIndependentClientInteroperatesOverHttpAndMqtt() throws Exception {
        NodeDeviceClient.requireOrSkip();
        try (GatewayFixture gw = GatewayFixture.start(dir)) {
            NodeDeviceClient.Run run = NodeDeviceClient.run(List.of("--http", gw.api(), "--mqtt", gw.mqttUrl(),
                    "--token", gw.operatorToken(), "--auditor-token", gw.auditorToken(), "--transport", "both"),
                    dir.resolve("client.log"), Duration.ofMinutes(5));
            assertTrue(run.finished(), "the client did not finish within 5 minutes:\n" + run.output());
            assertEquals(0, run.exitCode(), "the independent client reported failures:\n" + run.output());
            assertTrue(run.output().contains("PASS"), "the client ran no checks:\n" + run.output());
        }
    }
}
