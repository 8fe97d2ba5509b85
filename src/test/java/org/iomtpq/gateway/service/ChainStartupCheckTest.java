package org.iomtpq.gateway.service;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.iomtpq.gateway.chain.ChainRevertException;
import org.iomtpq.gateway.chain.ChainSettings;
import org.iomtpq.gateway.chain.ChainUnavailableException;
import org.iomtpq.gateway.chain.GatewayKey;
import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.config.StartupException;
import org.iomtpq.gateway.protocol.GatewayRecord;
import org.iomtpq.gateway.protocol.Hex0x;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Each refusal of {@link ChainStartupCheck}: one line, exit code 2, naming what to run or change. */
class ChainStartupCheckTest {

    private static final String RPC = "http://127.0.0.1:8545";
    private static final String REGISTRY = "0x" + "ab".repeat(20);
    private static final String ACCOUNT = "0x" + "cd".repeat(20);
    private static final byte[] OWN_HASH = filled(0x11);
    private static final ChainSettings CHAIN = new ChainSettings(RPC, REGISTRY, 31337, 1, Duration.ofMillis(250));
    private static final GatewayRecord RECORD = new GatewayRecord("gateway-01", new byte[1184], Hex0x.encode(OWN_HASH), ACCOUNT);

    /** A node with a registry: chain id, whether code is at the registry, and what gatewayKey(ACCOUNT) answers. */
    private record StubNode(long chainId, boolean code, GatewayKey key, RuntimeException failure)
            implements ChainStartupCheck.RegistryView {
        static StubNode answering(GatewayKey key) {
            return new StubNode(31337, true, key, null);
        }

        @Override
        public long chainId() {
            if (failure instanceof ChainUnavailableException) {
                throw failure;
            }
            return chainId;
        }

        @Override
        public boolean hasCode(String address) {
            return code && address.equals(REGISTRY);
        }

        @Override
        public GatewayKey gatewayKey(String gateway) {
            if (failure != null) {
                throw failure;
            }
            return gateway.equals(ACCOUNT) ? key : new GatewayKey(new byte[32], false);
        }
    }

    @Test
    void aGatewayAuthorizedWithItsOwnKeyStarts() {
        assertDoesNotThrow(() -> check(StubNode.answering(new GatewayKey(OWN_HASH, true))));
    }

    @Test
    void anUnauthorizedGatewayIsRefusedWithTheCommandThatAuthorizesIt() {
        String line = refused(() -> check(StubNode.answering(new GatewayKey(new byte[32], false))));
        assertTrue(line.contains("does not authorize this gateway's ML-KEM key"), line);
        assertTrue(line.contains("gatewayKey(" + ACCOUNT + ") = (0x" + "00".repeat(32) + ", false)"), line);
        assertTrue(line.contains("IOMT_REGISTRY_ADDRESS=" + REGISTRY + " ./iomt authorize-gateway --authorize "
                + ACCOUNT + ":" + Hex0x.encode(OWN_HASH)), line);
    }

    @Test
    void aGatewayAuthorizedWithAnotherKeyIsRefused() {
        byte[] other = filled(0x22);
        String line = refused(() -> check(StubNode.answering(new GatewayKey(other, true))));
        assertTrue(line.contains("another ML-KEM key") && line.contains(Hex0x.encode(other) + ", true"), line);
        assertTrue(line.contains("this gateway's kemKeyHash is " + Hex0x.encode(OWN_HASH)) && line.contains("IOMT_DATA_DIR"), line);
    }

    @Test
    void aRemovedGatewayIsRefused() {
        // removeGateway deletes the hash; a registry that kept it with authorized=false is refused the same way
        String line = refused(() -> check(StubNode.answering(new GatewayKey(OWN_HASH, false))));
        assertTrue(line.contains("does not authorize"), line);
    }

    @Test
    void anUnreachableNodeIsNamed() {
        String line = refused(() -> check(new StubNode(0, true, null, new ChainUnavailableException("connection refused"))));
        assertTrue(line.contains(RPC) && line.contains("does not answer") && line.contains("IOMT_ETH_RPC_URL"), line);
    }

    @Test
    void aNodeOnAnotherChainIsRefused() {
        String line = refused(() -> check(new StubNode(1337, true, new GatewayKey(OWN_HASH, true), null)));
        assertTrue(line.contains("is on chain 1337 but iomt.chain-id (IOMT_CHAIN_ID) is 31337"), line);
    }

    @Test
    void noContractAtTheAddressIsRefused() {
        String line = refused(() -> check(new StubNode(31337, false, new GatewayKey(OWN_HASH, true), null)));
        assertTrue(line.contains("no contract at " + REGISTRY) && line.contains("./iomt deploy-registry"), line);
    }

    @Test
    void aContractThatIsNoRegistryIsRefused() {
        String line = refused(() -> check(new StubNode(31337, true, null, new ChainRevertException("gatewayKey", null))));
        assertTrue(line.contains("is not a PostQuantumKeyRegistry"), line);
    }

    @Test
    void aRegistryAddressWithoutChainModeIsRefused() {
        String line = refused(() -> ChainStartupCheck.chainMode(settings("none", REGISTRY)));
        assertTrue(line.contains("IOMT_REGISTRY_MODE=chain") && line.contains("unset IOMT_REGISTRY_ADDRESS"), line);
    }

    @Test
    void chainModeWithoutAnAddressIsRefused() {
        String line = refused(() -> ChainStartupCheck.chainMode(settings("chain", "")));
        assertTrue(line.contains("./iomt deploy-registry") && line.contains("IOMT_REGISTRY_MODE=none"), line);
    }

    @Test
    void anUnknownModeIsRefused() {
        String line = refused(() -> ChainStartupCheck.chainMode(settings("ethereum", "")));
        assertTrue(line.contains("'none' or 'chain'"), line);
    }

    @Test
    void consistentSettingsPass() {
        assertTrue(ChainStartupCheck.chainMode(settings("chain", REGISTRY)));
        assertFalse(ChainStartupCheck.chainMode(settings("none", "")));
        assertFalse(ChainStartupCheck.chainMode(settings("none", "  ")), "blank is not set");
    }

    private static void check(ChainStartupCheck.RegistryView node) {
        ChainStartupCheck.check(CHAIN, node, RECORD, "data");
    }

    private static String refused(Executable start) {
        StartupException e = assertThrows(StartupException.class, start);
        assertEquals(StartupException.MISCONFIGURED, e.exitCode());
        assertFalse(e.getMessage().contains("\n"), "one line");
        return e.getMessage();
    }

    private static GatewaySettings settings(String mode, String address) {
        return GatewaySettings.load(Path.of("does-not-exist.properties"), Map.of(),
                Map.of("iomt.registry.mode", mode, "iomt.registry.address", address));
    }

    private static byte[] filled(int value) {
        byte[] b = new byte[32];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }
}
