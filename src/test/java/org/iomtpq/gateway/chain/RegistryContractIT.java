package org.iomtpq.gateway.chain;

import static org.iomtpq.gateway.chain.RegistryFixture.lower;
import static org.iomtpq.gateway.chain.RegistryFixture.newCommitment;
import static org.iomtpq.gateway.chain.RegistryFixture.newDeviceIdHash;
import static org.iomtpq.gateway.chain.RegistryFixture.onlyEvent;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import org.iomtpq.gateway.testsupport.EthNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.web3j.abi.datatypes.Type;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/** PostQuantumKeyRegistry against a real Anvil: every function, every revert (by custom-error selector), every event. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("rawtypes") // web3j's decoders return List<Type> with a raw Type
class RegistryContractIT {

    private RegistryFixture f;

    @BeforeAll
    void startAnvilAndDeploy() throws IOException {
        f = RegistryFixture.start(EthNode.Kind.ANVIL);
    }

    @AfterAll
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void devAccountsAreTheDocumentedAnvilKeys() throws Exception {
        assertEquals("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
                Numeric.toHexStringWithPrefixZeroPadded(f.owner.getEcKeyPair().getPrivateKey(), 64));
        assertEquals("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
                Numeric.toHexStringWithPrefixZeroPadded(f.gateway.getEcKeyPair().getPrivateKey(), 64));
        List<String> accounts = f.chain.web3j().ethAccounts().send().getAccounts();
        assertEquals(lower(f.owner), accounts.get(0).toLowerCase(Locale.ROOT));
        assertEquals(lower(f.gateway), accounts.get(1).toLowerCase(Locale.ROOT));
        assertEquals(lower(f.stranger), accounts.get(2).toLowerCase(Locale.ROOT));
        assertEquals(BigInteger.valueOf(31337), f.chain.web3j().ethChainId().send().getChainId());
    }

    @Test
    void deployerOwnsAndGatewayKeysAreReadable() throws Exception {
        assertEquals(lower(f.owner), ((String) f.chain.call(f.registry, RegistryContract.owner()).get(0).getValue())
                .toLowerCase(Locale.ROOT));
        try (RegistryClient client = f.gatewayClient()) {
            GatewayKey key = client.gatewayKey(f.gateway.getAddress());
            assertArrayEquals(RegistryFixture.GATEWAY_KEM_KEY_HASH, key.kemKeyHash());
            assertTrue(key.authorized());
            GatewayKey none = client.gatewayKey(f.stranger.getAddress());
            assertArrayEquals(new byte[32], none.kemKeyHash());
            assertFalse(none.authorized());
        }
    }

    @Test
    void ownerAuthorizesReauthorizesAndRemovesGateways() throws Exception {
        Credentials second = f.node.kind().devAccount(3);
        byte[] firstKey = newCommitment();
        byte[] secondKey = newCommitment();
        for (byte[] kemKeyHash : List.of(firstKey, secondKey)) { // re-authorization emits again, with the new key
            RegistryEvent.GatewayAuthorized log = onlyEvent(f.asOwner(RegistryContract.authorizeGateway(second.getAddress(), kemKeyHash)),
                    RegistryEvent.GatewayAuthorized.class);
            assertEquals(lower(second), log.gateway());
            assertArrayEquals(kemKeyHash, log.kemKeyHash());
        }
        assertArrayEquals(secondKey, (byte[]) f.chain.call(f.registry, RegistryContract.gatewayKey(second.getAddress()))
                .get(0).getValue());

        RegistryEvent.GatewayRemoved removed = onlyEvent(f.asOwner(RegistryContract.removeGateway(second.getAddress())), RegistryEvent.GatewayRemoved.class);
        assertEquals(lower(second), removed.gateway());
        assertEquals(false, f.chain.call(f.registry, RegistryContract.gatewayKey(second.getAddress())).get(1).getValue());
        f.expectRevert(second, RegistryContract.registerDeviceKey(newDeviceIdHash(), newCommitment()),
                "NotAuthorizedGateway(address)");
        f.expectRevert(f.owner, RegistryContract.removeGateway(second.getAddress()), "UnknownGateway(address)");
    }

    @Test
    void gatewayAdministrationIsOwnerOnlyAndValidated() throws Exception {
        String data = f.expectRevert(f.stranger, RegistryContract.authorizeGateway(f.stranger.getAddress(), newCommitment()),
                "NotOwner(address)");
        assertTrue(data.endsWith(lower(f.stranger).substring(2)), "NotOwner names the caller: " + data);
        f.expectRevert(f.gateway, RegistryContract.removeGateway(f.gateway.getAddress()), "NotOwner(address)");
        f.expectRevert(f.stranger, RegistryContract.transferOwnership(f.stranger.getAddress()), "NotOwner(address)");
        f.expectRevert(f.owner, RegistryContract.authorizeGateway("0x0000000000000000000000000000000000000000",
                newCommitment()), "ZeroAddress()");
        f.expectRevert(f.owner, RegistryContract.authorizeGateway(f.stranger.getAddress(), new byte[32]), "ZeroValue()");
    }

    @Test
    void registerEmitsKeyRegisteredAndMakesTheKeyActive() throws Exception {
        byte[] device = newDeviceIdHash();
        byte[] commitment = newCommitment();
        DeviceKey unknown = f.deviceKey(device);
        assertArrayEquals(new byte[32], unknown.commitment());
        assertFalse(unknown.active());

        RegistryEvent.KeyRegistered log = onlyEvent(f.asGateway(RegistryContract.registerDeviceKey(device, commitment)), RegistryEvent.KeyRegistered.class);
        assertArrayEquals(device, log.deviceIdHash());
        assertEquals(lower(f.gateway), log.gateway());
        assertArrayEquals(commitment, log.keyCommitment());
        DeviceKey key = f.deviceKey(device);
        assertArrayEquals(commitment, key.commitment());
        assertTrue(key.active());

        f.expectRevert(f.gateway, RegistryContract.registerDeviceKey(device, newCommitment()), "DeviceAlreadyActive(bytes32)");
        f.expectRevert(f.gateway, RegistryContract.registerDeviceKey(device, commitment), "DeviceAlreadyActive(bytes32)");
        f.expectRevert(f.gateway, RegistryContract.registerDeviceKey(newDeviceIdHash(), new byte[32]), "ZeroValue()");
        f.expectRevert(f.gateway, RegistryContract.registerDeviceKey(new byte[32], newCommitment()), "ZeroValue()");
    }

    @Test
    void onlyAuthorizedGatewaysWrite() throws Exception {
        byte[] device = newDeviceIdHash();
        f.asGateway(RegistryContract.registerDeviceKey(device, newCommitment()));
        for (Credentials notGateway : List.of(f.stranger, f.owner)) { // the owner is no gateway
            f.expectRevert(notGateway, RegistryContract.registerDeviceKey(newDeviceIdHash(), newCommitment()),
                    "NotAuthorizedGateway(address)");
            f.expectRevert(notGateway, RegistryContract.registerDeviceKeys(List.of(newDeviceIdHash()), List.of(newCommitment())),
                    "NotAuthorizedGateway(address)");
            f.expectRevert(notGateway, RegistryContract.rotateDeviceKey(device, newCommitment()),
                    "NotAuthorizedGateway(address)");
            f.expectRevert(notGateway, RegistryContract.anchorAudit(RegistryFixture.keccak("gw/stranger"), 1, 1, newCommitment()),
                    "NotAuthorizedGateway(address)");
        }
        f.expectRevert(f.stranger, RegistryContract.deactivateKey(device), "NotAuthorizedGateway(address)");
        assertTrue(f.deviceKey(device).active());
    }

    @Test
    void deactivationKeepsTheLastCommitmentAndBurnsEveryOldOne() throws Exception {
        byte[] device = newDeviceIdHash();
        byte[] first = newCommitment();
        byte[] second = newCommitment();
        f.asGateway(RegistryContract.registerDeviceKey(device, first));
        f.asGateway(RegistryContract.rotateDeviceKey(device, second));

        RegistryEvent.KeyDeactivated log = onlyEvent(f.asGateway(RegistryContract.deactivateKey(device)), RegistryEvent.KeyDeactivated.class);
        assertArrayEquals(device, log.deviceIdHash());
        assertEquals(lower(f.gateway), log.gateway());
        DeviceKey key = f.deviceKey(device);
        assertArrayEquals(second, key.commitment());
        assertFalse(key.active());

        f.expectRevert(f.gateway, RegistryContract.deactivateKey(device), "DeviceNotActive(bytes32)");
        f.expectRevert(f.gateway, RegistryContract.rotateDeviceKey(device, newCommitment()), "DeviceNotActive(bytes32)");
        f.expectRevert(f.gateway, RegistryContract.registerDeviceKey(device, second), "CommitmentAlreadyUsed(bytes32,bytes32)");
        f.expectRevert(f.gateway, RegistryContract.registerDeviceKey(device, first), "CommitmentAlreadyUsed(bytes32,bytes32)");

        byte[] third = newCommitment();
        RegistryEvent.KeyRegistered again = onlyEvent(f.asGateway(RegistryContract.registerDeviceKey(device, third)), RegistryEvent.KeyRegistered.class);
        assertArrayEquals(third, again.keyCommitment());
        assertTrue(f.deviceKey(device).active());
    }

    @Test
    void ownerMayDeactivateAndUnknownDevicesAreRefused() throws Exception {
        byte[] device = newDeviceIdHash();
        f.asGateway(RegistryContract.registerDeviceKey(device, newCommitment()));
        RegistryEvent.KeyDeactivated log = onlyEvent(f.asOwner(RegistryContract.deactivateKey(device)), RegistryEvent.KeyDeactivated.class);
        assertEquals(lower(f.owner), log.gateway());
        assertFalse(f.deviceKey(device).active());

        byte[] unknown = newDeviceIdHash();
        f.expectRevert(f.gateway, RegistryContract.deactivateKey(unknown), "UnknownDevice(bytes32)");
        f.expectRevert(f.owner, RegistryContract.deactivateKey(unknown), "UnknownDevice(bytes32)");
        f.expectRevert(f.gateway, RegistryContract.rotateDeviceKey(unknown, newCommitment()), "UnknownDevice(bytes32)");
    }

    @Test
    void rotationEmitsKeyRegisteredAndNeverReusesACommitment() throws Exception {
        byte[] device = newDeviceIdHash();
        byte[] first = newCommitment();
        byte[] second = newCommitment();
        f.asGateway(RegistryContract.registerDeviceKey(device, first));
        f.expectRevert(f.gateway, RegistryContract.rotateDeviceKey(device, first), "CommitmentAlreadyUsed(bytes32,bytes32)");
        f.expectRevert(f.gateway, RegistryContract.rotateDeviceKey(device, new byte[32]), "ZeroValue()");

        RegistryEvent.KeyRegistered log = onlyEvent(f.asGateway(RegistryContract.rotateDeviceKey(device, second)), RegistryEvent.KeyRegistered.class);
        assertArrayEquals(device, log.deviceIdHash());
        assertEquals(lower(f.gateway), log.gateway());
        assertArrayEquals(second, log.keyCommitment());
        DeviceKey key = f.deviceKey(device);
        assertArrayEquals(second, key.commitment());
        assertTrue(key.active());

        String data = f.expectRevert(f.gateway, RegistryContract.rotateDeviceKey(device, first),
                "CommitmentAlreadyUsed(bytes32,bytes32)");
        assertTrue(data.endsWith(Numeric.toHexStringNoPrefix(first)), "the error names the commitment: " + data);
    }

    @Test
    void batchRegistrationIsAllOrNothing() throws Exception {
        byte[] active = newDeviceIdHash();
        f.asGateway(RegistryContract.registerDeviceKey(active, newCommitment()));
        List<byte[]> devices = List.of(newDeviceIdHash(), newDeviceIdHash(), newDeviceIdHash());
        List<byte[]> commitments = List.of(newCommitment(), newCommitment(), newCommitment());

        f.expectRevert(f.gateway, RegistryContract.registerDeviceKeys(devices, commitments.subList(0, 2)),
                "LengthMismatch(uint256,uint256)");
        f.expectRevert(f.gateway, RegistryContract.registerDeviceKeys(List.of(), List.of()), "EmptyBatch()");
        f.expectRevert(f.gateway, RegistryContract.registerDeviceKeys(List.of(devices.get(0), active),
                List.of(commitments.get(0), newCommitment())), "DeviceAlreadyActive(bytes32)");
        assertFalse(f.deviceKey(devices.get(0)).active(), "a reverted batch registers nothing");

        TransactionReceipt receipt = f.asGateway(RegistryContract.registerDeviceKeys(devices, commitments));
        List<RegistryEvent.KeyRegistered> logs = RegistryFixture.events(receipt, RegistryEvent.KeyRegistered.class);
        assertEquals(3, logs.size());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(devices.get(i), logs.get(i).deviceIdHash());
            assertArrayEquals(commitments.get(i), f.deviceKey(devices.get(i)).commitment());
        }
    }

    @Test
    void auditAnchorsAreContiguousPerStreamAndOwnedByTheirFirstGateway() throws Exception {
        byte[] stream = RegistryFixture.keccak("gw-1/instance-" + Numeric.toHexStringNoPrefix(newCommitment()));
        byte[] root = newCommitment();
        String notFirst = f.expectRevert(f.gateway, RegistryContract.anchorAudit(stream, 2, 5, root),
                "NonContiguousAnchor(bytes32,uint64,uint64)");
        assertEquals(BigInteger.ONE, Numeric.toBigInt(notFirst.substring(10 + 64, 10 + 128)), "expected firstSeq 1");

        RegistryEvent.AuditAnchored log = onlyEvent(f.asGateway(RegistryContract.anchorAudit(stream, 1, 10, root)), RegistryEvent.AuditAnchored.class);
        assertEquals(lower(f.gateway), log.gateway());
        assertArrayEquals(stream, log.streamIdHash());
        assertEquals(1, log.firstSeq());
        assertEquals(10, log.lastSeq());
        assertArrayEquals(root, log.merkleRoot());

        f.expectRevert(f.gateway, RegistryContract.anchorAudit(stream, 12, 20, root), "NonContiguousAnchor(bytes32,uint64,uint64)");
        f.expectRevert(f.gateway, RegistryContract.anchorAudit(stream, 10, 20, root), "NonContiguousAnchor(bytes32,uint64,uint64)");
        f.expectRevert(f.gateway, RegistryContract.anchorAudit(stream, 11, 10, root), "InvalidAnchorRange(uint64,uint64)");
        f.expectRevert(f.gateway, RegistryContract.anchorAudit(stream, 11, 11, new byte[32]), "ZeroValue()");
        f.asGateway(RegistryContract.anchorAudit(stream, 11, 11, newCommitment()));

        Credentials other = f.node.kind().devAccount(4);
        f.asOwner(RegistryContract.authorizeGateway(other.getAddress(), RegistryFixture.GATEWAY_KEM_KEY_HASH));
        f.expectRevert(other, RegistryContract.anchorAudit(stream, 12, 12, root), "StreamOwnedByAnotherGateway(bytes32,address)");
        List<Type> state = f.chain.call(f.registry, RegistryContract.streamAnchor(stream));
        assertEquals(lower(f.gateway), ((String) state.get(0).getValue()).toLowerCase(Locale.ROOT));
        assertEquals(BigInteger.valueOf(11), state.get(1).getValue());
    }

    @Test
    void ownershipMovesOnlyToARealAccount() throws Exception {
        try (ChainClient chain = new ChainClient(f.node)) {
            String registry = chain.deploy(f.owner, ContractArtifact.REGISTRY).address();
            chain.expectRevert(f.owner, registry, RegistryContract.transferOwnership("0x0000000000000000000000000000000000000000"),
                    "ZeroAddress()");
            chain.send(f.owner, registry, RegistryContract.transferOwnership(f.stranger.getAddress()));
            chain.expectRevert(f.owner, registry, RegistryContract.authorizeGateway(f.owner.getAddress(), newCommitment()),
                    "NotOwner(address)");
            chain.send(f.stranger, registry, RegistryContract.authorizeGateway(f.owner.getAddress(), newCommitment()));
        }
    }
}
