package org.iomtpq.gateway.chain;

import static org.iomtpq.gateway.chain.RegistryFixture.data;
import static org.iomtpq.gateway.chain.RegistryFixture.lower;
import static org.iomtpq.gateway.chain.RegistryFixture.newCommitment;
import static org.iomtpq.gateway.chain.RegistryFixture.newDeviceIdHash;
import static org.iomtpq.gateway.chain.RegistryFixture.onlyLog;
import static org.iomtpq.gateway.chain.RegistryFixture.topicAddress;
import static org.iomtpq.gateway.chain.RegistryFixture.topicBytes32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import org.iomtpq.gateway.chain.RegistryFixture.DeviceKey;
import org.iomtpq.gateway.testsupport.EthNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.web3j.abi.datatypes.Type;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.Log;
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
        assertEquals(lower(f.owner), ((String) f.chain.call(f.registry, RegistryAbi.owner()).get(0).getValue())
                .toLowerCase(Locale.ROOT));
        List<Type> key = f.chain.call(f.registry, RegistryAbi.gatewayKey(f.gateway.getAddress()));
        assertArrayEquals(RegistryFixture.GATEWAY_KEM_KEY_HASH, (byte[]) key.get(0).getValue());
        assertEquals(true, key.get(1).getValue());
        List<Type> none = f.chain.call(f.registry, RegistryAbi.gatewayKey(f.stranger.getAddress()));
        assertArrayEquals(new byte[32], (byte[]) none.get(0).getValue());
        assertEquals(false, none.get(1).getValue());
    }

    @Test
    void ownerAuthorizesReauthorizesAndRemovesGateways() throws Exception {
        Credentials second = f.node.kind().devAccount(3);
        byte[] firstKey = newCommitment();
        byte[] secondKey = newCommitment();
        for (byte[] kemKeyHash : List.of(firstKey, secondKey)) { // re-authorization emits again, with the new key
            Log log = onlyLog(f.asOwner(RegistryAbi.authorizeGateway(second.getAddress(), kemKeyHash)),
                    RegistryAbi.GATEWAY_AUTHORIZED);
            assertEquals(lower(second), topicAddress(log, 1));
            assertArrayEquals(kemKeyHash, (byte[]) data(log, RegistryAbi.GATEWAY_AUTHORIZED).get(0).getValue());
        }
        assertArrayEquals(secondKey, (byte[]) f.chain.call(f.registry, RegistryAbi.gatewayKey(second.getAddress()))
                .get(0).getValue());

        Log removed = onlyLog(f.asOwner(RegistryAbi.removeGateway(second.getAddress())), RegistryAbi.GATEWAY_REMOVED);
        assertEquals(lower(second), topicAddress(removed, 1));
        assertEquals(false, f.chain.call(f.registry, RegistryAbi.gatewayKey(second.getAddress())).get(1).getValue());
        f.expectRevert(second, RegistryAbi.registerDeviceKey(newDeviceIdHash(), newCommitment()),
                "NotAuthorizedGateway(address)");
        f.expectRevert(f.owner, RegistryAbi.removeGateway(second.getAddress()), "UnknownGateway(address)");
    }

    @Test
    void gatewayAdministrationIsOwnerOnlyAndValidated() throws Exception {
        String data = f.expectRevert(f.stranger, RegistryAbi.authorizeGateway(f.stranger.getAddress(), newCommitment()),
                "NotOwner(address)");
        assertTrue(data.endsWith(lower(f.stranger).substring(2)), "NotOwner names the caller: " + data);
        f.expectRevert(f.gateway, RegistryAbi.removeGateway(f.gateway.getAddress()), "NotOwner(address)");
        f.expectRevert(f.stranger, RegistryAbi.transferOwnership(f.stranger.getAddress()), "NotOwner(address)");
        f.expectRevert(f.owner, RegistryAbi.authorizeGateway("0x0000000000000000000000000000000000000000",
                newCommitment()), "ZeroAddress()");
        f.expectRevert(f.owner, RegistryAbi.authorizeGateway(f.stranger.getAddress(), new byte[32]), "ZeroValue()");
    }

    @Test
    void registerEmitsKeyRegisteredAndMakesTheKeyActive() throws Exception {
        byte[] device = newDeviceIdHash();
        byte[] commitment = newCommitment();
        DeviceKey unknown = f.deviceKey(device);
        assertArrayEquals(new byte[32], unknown.commitment());
        assertFalse(unknown.active());

        Log log = onlyLog(f.asGateway(RegistryAbi.registerDeviceKey(device, commitment)), RegistryAbi.KEY_REGISTERED);
        assertArrayEquals(device, topicBytes32(log, 1));
        assertEquals(lower(f.gateway), topicAddress(log, 2));
        assertArrayEquals(commitment, (byte[]) data(log, RegistryAbi.KEY_REGISTERED).get(0).getValue());
        DeviceKey key = f.deviceKey(device);
        assertArrayEquals(commitment, key.commitment());
        assertTrue(key.active());

        f.expectRevert(f.gateway, RegistryAbi.registerDeviceKey(device, newCommitment()), "DeviceAlreadyActive(bytes32)");
        f.expectRevert(f.gateway, RegistryAbi.registerDeviceKey(device, commitment), "DeviceAlreadyActive(bytes32)");
        f.expectRevert(f.gateway, RegistryAbi.registerDeviceKey(newDeviceIdHash(), new byte[32]), "ZeroValue()");
        f.expectRevert(f.gateway, RegistryAbi.registerDeviceKey(new byte[32], newCommitment()), "ZeroValue()");
    }

    @Test
    void onlyAuthorizedGatewaysWrite() throws Exception {
        byte[] device = newDeviceIdHash();
        f.asGateway(RegistryAbi.registerDeviceKey(device, newCommitment()));
        for (Credentials notGateway : List.of(f.stranger, f.owner)) { // the owner is no gateway
            f.expectRevert(notGateway, RegistryAbi.registerDeviceKey(newDeviceIdHash(), newCommitment()),
                    "NotAuthorizedGateway(address)");
            f.expectRevert(notGateway, RegistryAbi.registerDeviceKeys(List.of(newDeviceIdHash()), List.of(newCommitment())),
                    "NotAuthorizedGateway(address)");
            f.expectRevert(notGateway, RegistryAbi.rotateDeviceKey(device, newCommitment()),
                    "NotAuthorizedGateway(address)");
            f.expectRevert(notGateway, RegistryAbi.anchorAudit(RegistryAbi.keccak("gw/stranger"), 1, 1, newCommitment()),
                    "NotAuthorizedGateway(address)");
        }
        f.expectRevert(f.stranger, RegistryAbi.deactivateKey(device), "NotAuthorizedGateway(address)");
        assertTrue(f.deviceKey(device).active());
    }

    @Test
    void deactivationKeepsTheLastCommitmentAndBurnsEveryOldOne() throws Exception {
        byte[] device = newDeviceIdHash();
        byte[] first = newCommitment();
        byte[] second = newCommitment();
        f.asGateway(RegistryAbi.registerDeviceKey(device, first));
        f.asGateway(RegistryAbi.rotateDeviceKey(device, second));

        Log log = onlyLog(f.asGateway(RegistryAbi.deactivateKey(device)), RegistryAbi.KEY_DEACTIVATED);
        assertArrayEquals(device, topicBytes32(log, 1));
        assertEquals(lower(f.gateway), topicAddress(log, 2));
        DeviceKey key = f.deviceKey(device);
        assertArrayEquals(second, key.commitment());
        assertFalse(key.active());

        f.expectRevert(f.gateway, RegistryAbi.deactivateKey(device), "DeviceNotActive(bytes32)");
        f.expectRevert(f.gateway, RegistryAbi.rotateDeviceKey(device, newCommitment()), "DeviceNotActive(bytes32)");
        f.expectRevert(f.gateway, RegistryAbi.registerDeviceKey(device, second), "CommitmentAlreadyUsed(bytes32,bytes32)");
        f.expectRevert(f.gateway, RegistryAbi.registerDeviceKey(device, first), "CommitmentAlreadyUsed(bytes32,bytes32)");

        byte[] third = newCommitment();
        Log again = onlyLog(f.asGateway(RegistryAbi.registerDeviceKey(device, third)), RegistryAbi.KEY_REGISTERED);
        assertArrayEquals(third, (byte[]) data(again, RegistryAbi.KEY_REGISTERED).get(0).getValue());
        assertTrue(f.deviceKey(device).active());
    }

    @Test
    void ownerMayDeactivateAndUnknownDevicesAreRefused() throws Exception {
        byte[] device = newDeviceIdHash();
        f.asGateway(RegistryAbi.registerDeviceKey(device, newCommitment()));
        Log log = onlyLog(f.asOwner(RegistryAbi.deactivateKey(device)), RegistryAbi.KEY_DEACTIVATED);
        assertEquals(lower(f.owner), topicAddress(log, 2));
        assertFalse(f.deviceKey(device).active());

        byte[] unknown = newDeviceIdHash();
        f.expectRevert(f.gateway, RegistryAbi.deactivateKey(unknown), "UnknownDevice(bytes32)");
        f.expectRevert(f.owner, RegistryAbi.deactivateKey(unknown), "UnknownDevice(bytes32)");
        f.expectRevert(f.gateway, RegistryAbi.rotateDeviceKey(unknown, newCommitment()), "UnknownDevice(bytes32)");
    }

    @Test
    void rotationEmitsKeyRegisteredAndNeverReusesACommitment() throws Exception {
        byte[] device = newDeviceIdHash();
        byte[] first = newCommitment();
        byte[] second = newCommitment();
        f.asGateway(RegistryAbi.registerDeviceKey(device, first));
        f.expectRevert(f.gateway, RegistryAbi.rotateDeviceKey(device, first), "CommitmentAlreadyUsed(bytes32,bytes32)");
        f.expectRevert(f.gateway, RegistryAbi.rotateDeviceKey(device, new byte[32]), "ZeroValue()");

        Log log = onlyLog(f.asGateway(RegistryAbi.rotateDeviceKey(device, second)), RegistryAbi.KEY_REGISTERED);
        assertArrayEquals(device, topicBytes32(log, 1));
        assertEquals(lower(f.gateway), topicAddress(log, 2));
        assertArrayEquals(second, (byte[]) data(log, RegistryAbi.KEY_REGISTERED).get(0).getValue());
        DeviceKey key = f.deviceKey(device);
        assertArrayEquals(second, key.commitment());
        assertTrue(key.active());

        String data = f.expectRevert(f.gateway, RegistryAbi.rotateDeviceKey(device, first),
                "CommitmentAlreadyUsed(bytes32,bytes32)");
        assertTrue(data.endsWith(Numeric.toHexStringNoPrefix(first)), "the error names the commitment: " + data);
    }

    @Test
    void batchRegistrationIsAllOrNothing() throws Exception {
        byte[] active = newDeviceIdHash();
        f.asGateway(RegistryAbi.registerDeviceKey(active, newCommitment()));
        List<byte[]> devices = List.of(newDeviceIdHash(), newDeviceIdHash(), newDeviceIdHash());
        List<byte[]> commitments = List.of(newCommitment(), newCommitment(), newCommitment());

        f.expectRevert(f.gateway, RegistryAbi.registerDeviceKeys(devices, commitments.subList(0, 2)),
                "LengthMismatch(uint256,uint256)");
        f.expectRevert(f.gateway, RegistryAbi.registerDeviceKeys(List.of(), List.of()), "EmptyBatch()");
        f.expectRevert(f.gateway, RegistryAbi.registerDeviceKeys(List.of(devices.get(0), active),
                List.of(commitments.get(0), newCommitment())), "DeviceAlreadyActive(bytes32)");
        assertFalse(f.deviceKey(devices.get(0)).active(), "a reverted batch registers nothing");

        TransactionReceipt receipt = f.asGateway(RegistryAbi.registerDeviceKeys(devices, commitments));
        List<Log> logs = RegistryFixture.logs(receipt, RegistryAbi.KEY_REGISTERED);
        assertEquals(3, logs.size());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(devices.get(i), topicBytes32(logs.get(i), 1));
            assertArrayEquals(commitments.get(i), f.deviceKey(devices.get(i)).commitment());
        }
    }

    @Test
    void auditAnchorsAreContiguousPerStreamAndOwnedByTheirFirstGateway() throws Exception {
        byte[] stream = RegistryAbi.keccak("gw-1/instance-" + Numeric.toHexStringNoPrefix(newCommitment()));
        byte[] root = newCommitment();
        String notFirst = f.expectRevert(f.gateway, RegistryAbi.anchorAudit(stream, 2, 5, root),
                "NonContiguousAnchor(bytes32,uint64,uint64)");
        assertEquals(BigInteger.ONE, Numeric.toBigInt(notFirst.substring(10 + 64, 10 + 128)), "expected firstSeq 1");

        Log log = onlyLog(f.asGateway(RegistryAbi.anchorAudit(stream, 1, 10, root)), RegistryAbi.AUDIT_ANCHORED);
        assertEquals(lower(f.gateway), topicAddress(log, 1));
        assertArrayEquals(stream, topicBytes32(log, 2));
        List<Type> values = data(log, RegistryAbi.AUDIT_ANCHORED);
        assertEquals(BigInteger.ONE, values.get(0).getValue());
        assertEquals(BigInteger.TEN, values.get(1).getValue());
        assertArrayEquals(root, (byte[]) values.get(2).getValue());

        f.expectRevert(f.gateway, RegistryAbi.anchorAudit(stream, 12, 20, root), "NonContiguousAnchor(bytes32,uint64,uint64)");
        f.expectRevert(f.gateway, RegistryAbi.anchorAudit(stream, 10, 20, root), "NonContiguousAnchor(bytes32,uint64,uint64)");
        f.expectRevert(f.gateway, RegistryAbi.anchorAudit(stream, 11, 10, root), "InvalidAnchorRange(uint64,uint64)");
        f.expectRevert(f.gateway, RegistryAbi.anchorAudit(stream, 11, 11, new byte[32]), "ZeroValue()");
        f.asGateway(RegistryAbi.anchorAudit(stream, 11, 11, newCommitment()));

        Credentials other = f.node.kind().devAccount(4);
        f.asOwner(RegistryAbi.authorizeGateway(other.getAddress(), RegistryFixture.GATEWAY_KEM_KEY_HASH));
        f.expectRevert(other, RegistryAbi.anchorAudit(stream, 12, 12, root), "StreamOwnedByAnotherGateway(bytes32,address)");
        List<Type> state = f.chain.call(f.registry, RegistryAbi.streamAnchor(stream));
        assertEquals(lower(f.gateway), ((String) state.get(0).getValue()).toLowerCase(Locale.ROOT));
        assertEquals(BigInteger.valueOf(11), state.get(1).getValue());
    }

    @Test
    void ownershipMovesOnlyToARealAccount() throws Exception {
        try (ChainClient chain = new ChainClient(f.node)) {
            String registry = chain.deploy(f.owner, ContractArtifact.load(ContractArtifact.REGISTRY).bytecode())
                    .getContractAddress();
            chain.expectRevert(f.owner, registry, RegistryAbi.transferOwnership("0x0000000000000000000000000000000000000000"),
                    "ZeroAddress()");
            chain.send(f.owner, registry, RegistryAbi.transferOwnership(f.stranger.getAddress()));
            chain.expectRevert(f.owner, registry, RegistryAbi.authorizeGateway(f.owner.getAddress(), newCommitment()),
                    "NotOwner(address)");
            chain.send(f.stranger, registry, RegistryAbi.authorizeGateway(f.owner.getAddress(), newCommitment()));
        }
    }
}
