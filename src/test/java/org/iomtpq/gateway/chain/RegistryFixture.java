package org.iomtpq.gateway.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import org.iomtpq.gateway.testsupport.EthNode;
import org.web3j.abi.datatypes.Function;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * A dev chain with a freshly deployed PostQuantumKeyRegistry: dev account #0 owns it, #1 is an authorized
 * gateway, #2 a funded stranger with no role. Events are checked through the main {@link RegistryContract#decode}.
 */
final class RegistryFixture implements AutoCloseable {

    static final byte[] GATEWAY_KEM_KEY_HASH = keccak("gateway ML-KEM public key stand-in");
    private static final SecureRandom RANDOM = new SecureRandom();

    final EthNode node;
    final ChainClient chain;
    final Credentials owner;
    final Credentials gateway;
    final Credentials stranger;
    final String registry;
    final DeployedContract deployment;
    private final RegistryClient reader;

    private RegistryFixture(EthNode node, ChainClient chain, DeployedContract deployment) {
        this.node = node;
        this.chain = chain;
        this.owner = node.kind().devAccount(0);
        this.gateway = node.kind().devAccount(1);
        this.stranger = node.kind().devAccount(2);
        this.deployment = deployment;
        this.registry = deployment.address();
        this.reader = new RegistryClient(chain.settings().withRegistry(registry), EthAccount.of(stranger));
    }

    static RegistryFixture start(EthNode.Kind kind) throws IOException {
        EthNode node = EthNode.start(kind);
        ChainClient chain = new ChainClient(node);
        try {
            DeployedContract deployment = chain.deploy(kind.devAccount(0), ContractArtifact.REGISTRY);
            RegistryFixture fixture = new RegistryFixture(node, chain, deployment);
            fixture.asOwner(RegistryContract.authorizeGateway(fixture.gateway.getAddress(), GATEWAY_KEM_KEY_HASH));
            return fixture;
        } catch (IOException | RuntimeException | Error e) {
            chain.close();
            node.close();
            throw e;
        }
    }

    /** A client for the gateway account with the registry address set, as the gateway runs it. */
    RegistryClient gatewayClient() {
        return new RegistryClient(chain.settings().withRegistry(registry), EthAccount.of(gateway));
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

    /** Read through the gateway's own client, as the handshake's commitment check does. */
    DeviceKey deviceKey(byte[] deviceIdHash) {
        return reader.getDeviceKey(deviceIdHash);
    }

    /** keccak256 of UTF-8 text, as the protocol hashes device ids and stream names. */
    static byte[] keccak(String text) {
        return Hash.sha3(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A device id hash never used before, as keccak256 of a device id. */
    static byte[] newDeviceIdHash() {
        return keccak("DEVICE_" + Long.toUnsignedString(RANDOM.nextLong(), 36));
    }

    /** A random 32-byte commitment (the contract never sees the keys, so any 32 non-zero bytes will do). */
    static byte[] newCommitment() {
        byte[] commitment = new byte[32];
        RANDOM.nextBytes(commitment);
        commitment[0] |= 1; // never all zero
        return commitment;
    }

    /** The receipt's registry events of that type, decoded by the main decoder. */
    static <E extends RegistryEvent> List<E> events(TransactionReceipt receipt, Class<E> type) {
        return receipt.getLogs().stream().map(RegistryContract::decode).flatMap(java.util.Optional::stream)
                .filter(type::isInstance).map(type::cast).toList();
    }

    /** The receipt's single event of that type, failing when there is not exactly one. */
    static <E extends RegistryEvent> E onlyEvent(TransactionReceipt receipt, Class<E> type) {
        List<E> events = events(receipt, type);
        assertEquals(1, events.size(), () -> "expected one " + type.getSimpleName() + " in " + receipt.getLogs());
        E event = events.get(0);
        assertEquals(receipt.getTransactionHash(), event.txHash());
        assertEquals(receipt.getBlockNumber().longValueExact(), event.blockNumber());
        return event;
    }

    static String lower(Credentials account) {
        return account.getAddress().toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        reader.close();
        chain.close();
        node.close();
    }
}
