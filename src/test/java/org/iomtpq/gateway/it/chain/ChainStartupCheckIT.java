package org.iomtpq.gateway.it.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.config.StartupException;
import org.iomtpq.gateway.it.GatewayFixture;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.testsupport.EthNode;
import org.iomtpq.gateway.tools.DeployRegistryCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * Issue 10: a chain-mode gateway whose ML-KEM key the registry does not authorize refuses to start with one line
 * (every device would refuse it, PROTOCOL.md §5), and the command that line names makes it start.
 */
class ChainStartupCheckIT {

    @TempDir
    static Path base;

    private static EthNode anvil;
    private static Credentials owner;
    private static String gatewayAccount;

    @BeforeAll
    static void start() {
        anvil = EthNode.start(EthNode.Kind.ANVIL);
        owner = anvil.kind().devAccount(ChainRig.OWNER_ACCOUNT);
        gatewayAccount = ChainRig.address(anvil.kind().devAccount(0));
    }

    @AfterAll
    static void stop() {
        ChainRig.closeAll(anvil);
    }

    @Test
    void aRegistryAuthorizingAnotherKeyIsRefusedUntilTheOwnerAuthorizesOurs() throws Exception {
        // deploy-registry run with another data directory: the account is authorized, with that directory's key.
        Path otherDir = Files.createDirectories(base.resolve("other"));
        Path dataDir = Files.createDirectories(base.resolve("gateway"));
        String registry = ChainRig.deploy(anvil.rpcUrl(), anvil.chainId(), owner,
                List.of(ChainRig.authorization(anvil.kind().devAccount(0), otherDir)));
        Map<String, String> settings = ChainRig.gatewaySettings(anvil.rpcUrl(), anvil.chainId(), registry, "");
        String ownHash = Hex0x.encode(ChainRig.kemKeyHash(dataDir));

        StartupException refused = assertThrows(StartupException.class, () -> GatewayFixture.start(dataDir, settings));
        assertEquals(2, refused.exitCode());
        String line = refused.getMessage();
        assertTrue(line.contains("registry " + registry + " on chain 31337 authorizes this gateway's account with another "
                + "ML-KEM key (gatewayKey(" + gatewayAccount + ") = (" + Hex0x.encode(ChainRig.kemKeyHash(otherDir)) + ", true)"),
                line);
        assertTrue(line.contains("./iomt authorize-gateway --authorize " + gatewayAccount + ":" + ownHash), line);

        // What the line says to run, as the registry owner.
        assertEquals(0, authorizeGateway(registry, gatewayAccount + ":" + ownHash), "authorize-gateway succeeded");
        try (GatewayFixture gw = GatewayFixture.start(dataDir, settings)) {
            assertEquals(gatewayAccount, gw.operator().gatewayRecord().gatewayAddress(), "the record names the checked account");
        }
    }

    @Test
    void anAddressWithoutAContractIsRefused() throws Exception {
        Path dataDir = Files.createDirectories(base.resolve("no-contract"));
        String eoa = ChainRig.address(owner);
        StartupException refused = assertThrows(StartupException.class, () -> GatewayFixture.start(dataDir,
                ChainRig.gatewaySettings(anvil.rpcUrl(), anvil.chainId(), eoa, "")));
        assertTrue(refused.getMessage().startsWith("chain mode: no contract at " + eoa + " on chain 31337"), refused.getMessage());
    }

    private static int authorizeGateway(String registry, String authorization) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("iomt.eth.rpc-url", anvil.rpcUrl());
        env.put("iomt.chain-id", String.valueOf(anvil.chainId()));
        env.put("iomt.registry.address", registry);
        env.put("iomt.eth.private-key", ChainRig.privateKeyHex(owner));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int exit = new DeployRegistryCommand(print, print).authorize(new String[] {"--authorize", authorization},
                GatewaySettings.fromEnvironment(env));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("authorized gateway " + gatewayAccount), out.toString(StandardCharsets.UTF_8));
        return exit;
    }
}
