package org.iomtpq.gateway.it.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
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

    /**
     * TODO(issue 10 item 4): remove once the change that makes the first `enrolled`/`rotation` answer of a
     * chain-mode gateway carry its transaction's hash is merged. Until then main answers txHash null there (§4:
     * "registration submitted to the chain, answer {…, txHash}"; §5a: "rotateDeviceKey submitted; answer {…, txHash}"),
     * and the client reports exactly these checks as failed; any other failure fails this test.
     */
    private static final Set<String> KNOWN_FAILING_UNTIL_TX_HASH_IN_FIRST_ANSWER = Set.of(
            "HTTP enroll: first chain-mode answer carries a txHash",
            "HTTP rotate: first chain-mode answer carries a txHash",
            "MQTT enroll: first chain-mode answer carries a txHash",
            "MQTT rotate: first chain-mode answer carries a txHash");

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
            // the tolerated failures stay visible in the build log
            System.out.println("NodeDeviceChainInteropIT, client report:\n" + run.digest());
            assertTrue(run.finished(), "the client did not finish within 3 minutes:\n" + run.output());
            assertTrue(run.output().contains("PASS"), "the client ran no checks:\n" + run.output());
            Set<String> unexpected = new LinkedHashSet<>(run.failedChecks());
            unexpected.removeAll(KNOWN_FAILING_UNTIL_TX_HASH_IN_FIRST_ANSWER);
            assertEquals(Set.of(), unexpected, "the independent client reported failures:\n" + run.output());
            assertEquals(run.failedChecks().isEmpty() ? 0 : 1, run.exitCode(), "the client's exit code:\n" + run.output());
        }
    }
}
