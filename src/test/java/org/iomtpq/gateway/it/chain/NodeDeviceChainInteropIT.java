package org.iomtpq.gateway.it.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.iomtpq.gateway.it.NodeDeviceClient;
import org.iomtpq.gateway.testsupport.EthNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The independent Node.js device client against a gateway with registry.mode=chain on Anvil, over HTTP and MQTT: it
 * is provisioned with the RPC URL, registry address and chain id (never taken from the gateway, PROTOCOL.md §3), checks
 * gatewayKey(gatewayAddress) before its first handshake (§5), and follows enrollment, rotation and revocation through
 * PENDING_CHAIN, the registry's views and the transactions the gateway names (§4, §5a, §7, §9).
 */
class NodeDeviceChainInteropIT {

    @TempDir
    Path dir;

    @Test
    void anIndependentClientInteroperatesWithAChainOverHttpAndMqtt() throws Exception {
        NodeDeviceClient.requireOrSkip();
        Path dataDir = Files.createDirectories(dir.resolve("gateway"));
        try (DevChainGateway rig = DevChainGateway.start(EthNode.Kind.ANVIL, dataDir)) {
            NodeDeviceClient.Run run = NodeDeviceClient.run(List.of(
                            "--http", rig.gw().api(), "--mqtt", rig.gw().mqttUrl(),
                            "--token", rig.gw().operatorToken(), "--auditor-token", rig.gw().auditorToken(),
                            "--transport", "both",
                            "--rpc", rig.node().rpcUrl(), "--registry", rig.reader().settings().registryAddress(),
                            "--chain-id", String.valueOf(rig.node().chainId())),
                    dir.resolve("client.log"), Duration.ofMinutes(3));
            System.out.println("NodeDeviceChainInteropIT, client report:\n" + run.digest());
            assertTrue(run.finished(), "the client did not finish within 3 minutes:\n" + run.output());
            assertTrue(run.output().contains("PASS"), "the client ran no checks:\n" + run.output());
            assertEquals(Set.of(), run.failedChecks(), "the independent client reported failures:\n" + run.output());
            assertEquals(0, run.exitCode(), "the client's exit code:\n" + run.output());
        }
    }
}
