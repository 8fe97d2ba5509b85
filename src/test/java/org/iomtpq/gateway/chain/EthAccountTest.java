package org.iomtpq.gateway.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.iomtpq.gateway.config.GatewaySettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.WalletUtils;

/** Where the gateway's Ethereum key comes from, and that it never shows. */
class EthAccountTest {

    private static final String KEY_1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

    private static GatewaySettings settings(Map<String, String> values) {
        return GatewaySettings.load(Path.of("does-not-exist.properties"), Map.of(), values);
    }

    @Test
    void privateKeyWinsAndNeverShows() {
        EthAccount account = EthAccount.fromSettings(settings(Map.of("iomt.eth.private-key", KEY_1)), true);
        assertEquals("0x70997970c51812dc3a010c7d01b50e0d17dc79c8", account.address());
        assertFalse(account.toString().contains(KEY_1.substring(2, 20)), account.toString());
        assertTrue(account.toString().contains(account.address()));
    }

    @Test
    void devKeysOnlyInTheEmbeddedProfile() {
        assertEquals(LocalEthNode.Kind.ANVIL.devAccount(0).getAddress(),
                EthAccount.fromSettings(settings(Map.of("iomt.chain-id", "31337")), true).address());
        assertEquals(LocalEthNode.Kind.GANACHE.devAccount(0).getAddress(),
                EthAccount.fromSettings(settings(Map.of("iomt.chain-id", "1337")), true).address());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EthAccount.fromSettings(settings(Map.of("iomt.chain-id", "31337")), false));
        assertTrue(e.getMessage().contains("IOMT_ETH_PRIVATE_KEY"), e.getMessage());
    }

    @Test
    void theEmbeddedProfileIsLoopbackAndADevChainId() {
        assertTrue(EthAccount.isEmbeddedProfile(ChainSettings.from(settings(Map.of()))));
        assertTrue(EthAccount.isEmbeddedProfile(ChainSettings.from(settings(Map.of(
                "iomt.eth.rpc-url", "http://localhost:7545", "iomt.chain-id", "1337")))));
        assertFalse(EthAccount.isEmbeddedProfile(ChainSettings.from(settings(Map.of(
                "iomt.eth.rpc-url", "https://rpc.example.org", "iomt.chain-id", "31337")))));
        assertFalse(EthAccount.isEmbeddedProfile(ChainSettings.from(settings(Map.of("iomt.chain-id", "11155111")))));
    }

    @Test
    void malformedKeysAreRefusedWithoutEchoingThem() {
        String typo = KEY_1.substring(0, 60) + "zz";
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> EthAccount.fromPrivateKey(typo));
        assertFalse(e.getMessage().contains(typo.substring(2, 20)));
        assertThrows(IllegalStateException.class, () -> EthAccount.fromPrivateKey("0x" + "00".repeat(32)));
        assertThrows(IllegalStateException.class, () -> EthAccount.fromPrivateKey("0x" + "ff".repeat(32)));
    }

    @Test
    void keystoreFileWithPassword(@TempDir Path dir) throws Exception {
        String name = WalletUtils.generateLightNewWalletFile("secret", dir.toFile());
        Path file = dir.resolve(name);
        EthAccount account = EthAccount.fromSettings(settings(Map.of("iomt.eth.keystore-file", file.toString(),
                "iomt.eth.keystore-password", "secret")), false);
        assertTrue(account.address().matches("0x[0-9a-f]{40}"));
        assertThrows(IllegalStateException.class, () -> EthAccount.fromSettings(settings(Map.of(
                "iomt.eth.keystore-file", file.toString(), "iomt.eth.keystore-password", "wrong")), false));
        assertThrows(IllegalStateException.class, () -> EthAccount.fromKeystore(dir.resolve("missing.json"), "x"));
        assertTrue(Files.exists(file) && new File(file.toString()).length() > 0);
    }

    @Test
    void chainSettingsDefaultsAndValidation() {
        ChainSettings defaults = ChainSettings.from(settings(Map.of()));
        assertEquals("http://127.0.0.1:8545", defaults.rpcUrl());
        assertEquals(null, defaults.registryAddress());
        assertEquals(31337, defaults.chainId());
        assertEquals(1, defaults.confirmations());
        assertEquals(250, defaults.pollInterval().toMillis());
        assertThrows(IllegalStateException.class, defaults::requireRegistry);
        ChainSettings set = ChainSettings.from(settings(Map.of("iomt.registry.address",
                "0x5FbDB2315678afecb367f032d93F642f64180aa3", "iomt.eth.confirmations", "3")));
        assertEquals("0x5fbdb2315678afecb367f032d93f642f64180aa3", set.requireRegistry());
        assertEquals(3, set.confirmations());
        assertThrows(IllegalArgumentException.class, () -> ChainSettings.from(settings(Map.of("iomt.registry.address", "0x1234"))));
        assertThrows(IllegalArgumentException.class, () -> ChainSettings.from(settings(Map.of("iomt.eth.confirmations", "0"))));
    }
}
