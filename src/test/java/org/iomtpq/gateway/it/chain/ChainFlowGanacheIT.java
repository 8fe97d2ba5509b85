package org.iomtpq.gateway.it.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.SecureRandom;

import org.iomtpq.gateway.chain.DeviceKey;
import org.iomtpq.gateway.chain.RegistryClient;
import org.iomtpq.gateway.it.GatewayFixture;
import org.iomtpq.gateway.protocol.Base64s;
import org.iomtpq.gateway.protocol.EnrolledMessage;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.protocol.TelemetryMessage;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.iomtpq.gateway.simulator.VitalSigns;
import org.iomtpq.gateway.testsupport.EthNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chain flow on Ganache 7 (chain id 1337): the gateway's transactions and event handling are not Anvil-specific. */
class ChainFlowGanacheIT {

    @TempDir
    static Path dataDir;

    private static EthNode ganache;
    private static GatewayFixture gw;
    private static RegistryClient reader;
    private static final SecureRandom RANDOM = new SecureRandom();

    @BeforeAll
    static void start() {
        ganache = EthNode.start(EthNode.Kind.GANACHE);
        String registry = ChainRig.deployForDevGateway(ganache, dataDir);
        // Empty private key on loopback chain 1337: the gateway signs with Ganache's deterministic account #0.
        gw = GatewayFixture.start(dataDir, ChainRig.gatewaySettings(ganache.rpcUrl(), ganache.chainId(), registry, ""));
        reader = ChainRig.reader(ganache.rpcUrl(), registry, ganache.chainId());
    }

    @AfterAll
    static void stop() {
        ChainRig.closeAll(reader, gw, ganache);
    }

    @Test
    void enrollBecomesActiveAndRevocationDeactivatesOnChain() {
        assertEquals(ChainRig.address(ganache.kind().devAccount(0)), gw.operator().gatewayRecord().gatewayAddress());
        SimulatedDevice device = SimulatedDevice.generate("BP_GANACHE_001", "bp-monitor", gw.httpTransport(), RANDOM);
        EnrolledMessage enrolled = device.enroll();
        assertEquals("PENDING_CHAIN", enrolled.status());

        String txHash = ChainRig.awaitStatus(gw, device.deviceId(), "ACTIVE").path("txHash").asText();
        assertEquals(txHash, enrolled.txHash(), "the answer named the registration's transaction");
        assertTrue(reader.outcome(txHash).orElseThrow().success(), txHash);
        DeviceKey key = ChainRig.onChain(reader, device.deviceId());
        assertTrue(key.active());
        assertArrayEquals(device.identity().keyCommitment(), key.commitment());

        device.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
        TelemetryMessage reading = device.send(VitalSigns.sample("bp-monitor", RANDOM));
        assertTrue(gw.observation(Base64s.encode(reading.sessionId()), reading.seq()).isPresent());

        assertEquals("REVOKED", gw.operator().revoke(device.deviceId(), "retired").path("status").asText());
        String revocationTx = ChainRig.awaitField(gw, device.deviceId(), "revocationTxHash");
        ChainRig.awaitOnChain(reader, device.deviceId(), Hex0x.encode(device.identity().keyCommitment()), false);
        assertTrue(reader.outcome(revocationTx).orElseThrow().success(), revocationTx);

        ChainRig.awaitOutboxSettled(gw);
        assertEquals(2, ChainRig.sentDeviceTransactions(gw), "registerDeviceKey and deactivateKey, each sent once");
        ChainRig.assertMinedEqualsSent(gw, reader, ChainRig.address(ganache.kind().devAccount(0)));
    }
}
