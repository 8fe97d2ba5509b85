package org.iomtpq.gateway.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import org.iomtpq.gateway.testsupport.EthNode;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * A dev chain with a freshly deployed PostQuantumKeyRegistry: dev account #0 owns it, #1 is an authorized
 * gateway, #2 a funded stranger with no role.
 */
final class RegistryFixture implements AutoCloseable {

    static final byte[] GATEWAY_KEM_KEY_HASH = RegistryAbi.keccak("gateway ML-KEM public key stand-in");
    private static final SecureRandom RANDOM = new SecureRandom();

    final EthNode node;
    final ChainClient chain;
    final Credentials owner;
    final Credentials gateway;
    final Credentials stranger;
    final String registry;
    final TransactionReceipt deployment;

    private RegistryFixture(EthNode node, ChainClient chain, TransactionReceipt deployment) {
        this.node = node;
        this.chain = chain;
        this.owner = node.kind().devAccount(0);
        this.gateway = node.kind().devAccount(1);
        this.stranger = node.kind().devAccount(2);
        this.deployment = deployment;
        this.registry = deployment.getContractAddress();
    }

    static RegistryFixture start(EthNode.Kind kind) throws IOException {
        EthNode node = EthNode.start(kind);
        ChainClient chain;
        try {
            chain = new ChainClient(node);
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
        try {
            TransactionReceipt deployment = chain.deploy(kind.devAccount(0),
                    ContractArtifact.load(ContractArtifact.REGISTRY).bytecode());
            RegistryFixture fixture = new RegistryFixture(node, chain, deployment);
            fixture.asOwner(RegistryAbi.authorizeGateway(fixture.gateway.getAddress(), GATEWAY_KEM_KEY_HASH));
            return fixture;
        } catch (IOException | RuntimeException | Error e) {
            chain.close();
            node.close();
            throw e;
        }
    }

    TransactionReceipt asOwner(Function function) throws IOException {
        return chain.send(owner, registry, function);
    }

    TransactionReceipt asGateway(Function function) throws IOException {
        return chain.send(gateway, registry, function);
    }

    /** Asserts the call reverts with that custom error; returns the revert data. */
    String expectRevert(Credentials from, Function function, String errorSignature) throws IOException {
        return chain.expectRevert(from, registry, function, errorSignature);
    }

    /** A device id hash never used before, as keccak256 of a device id. */
    static byte[] newDeviceIdHash() {
        return RegistryAbi.keccak("DEVICE_" + Long.toUnsignedString(RANDOM.nextLong(), 36));
    }

    /** A random 32-byte commitment (the contract never sees the keys, so any 32 non-zero bytes will do). */
    static byte[] newCommitment() {
        byte[] commitment = new byte[32];
        RANDOM.nextBytes(commitment);
        commitment[0] |= 1; // never all zero
        return commitment;
    }

    record DeviceKey(byte[] commitment, boolean active) {
    }

    @SuppressWarnings("rawtypes")
    DeviceKey deviceKey(byte[] deviceIdHash) throws IOException {
        List<Type> out = chain.call(registry, RegistryAbi.getDeviceKey(deviceIdHash));
        return new DeviceKey((byte[]) out.get(0).getValue(), (Boolean) out.get(1).getValue());
    }

    /** The receipt's logs of that event (by topic 0). */
    static List<Log> logs(TransactionReceipt receipt, Event event) {
        String topic0 = EventEncoder.encode(event);
        return receipt.getLogs().stream().filter(log -> topic0.equals(log.getTopics().get(0))).toList();
    }

    /** The receipt's single log of that event, failing when there is not exactly one. */
    static Log onlyLog(TransactionReceipt receipt, Event event) {
        List<Log> logs = logs(receipt, event);
        assertEquals(1, logs.size(), () -> "expected one " + event.getName() + " log in " + receipt.getLogs());
        return logs.get(0);
    }

    /** An indexed address topic, lower-case 0x-hex. */
    static String topicAddress(Log log, int index) {
        Address address = (Address) FunctionReturnDecoder.decodeIndexedValue(log.getTopics().get(index),
                new TypeReference<Address>() { });
        return address.getValue().toLowerCase(Locale.ROOT);
    }

    /** An indexed bytes32 topic. */
    static byte[] topicBytes32(Log log, int index) {
        Bytes32 value = (Bytes32) FunctionReturnDecoder.decodeIndexedValue(log.getTopics().get(index),
                new TypeReference<Bytes32>() { });
        return value.getValue();
    }

    /** The event's non-indexed values, in order. */
    @SuppressWarnings("rawtypes")
    static List<Type> data(Log log, Event event) {
        return FunctionReturnDecoder.decode(log.getData(), event.getNonIndexedParameters());
    }

    static String lower(Credentials account) {
        return account.getAddress().toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        chain.close();
        node.close();
    }
}
