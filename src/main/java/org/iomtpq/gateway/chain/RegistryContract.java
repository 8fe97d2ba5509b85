package org.iomtpq.gateway.chain;

import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.protocol.core.methods.response.Log;

/**
 * The registry's ABI (PROTOCOL.md §9 plus owner, transferOwnership and streamAnchor), written by hand as web3j
 * descriptions: no generated wrappers, so there is no code generator to pin and the encoding is visible here.
 * Pure: no I/O. {@code ContractArtifactsTest} checks the artifact's ABI is exactly what this class assumes.
 */
public final class RegistryContract {

    public static final Event GATEWAY_AUTHORIZED = new Event("GatewayAuthorized",
            List.of(new TypeReference<Address>(true) { }, new TypeReference<Bytes32>() { }));
    public static final Event GATEWAY_REMOVED = new Event("GatewayRemoved", List.of(new TypeReference<Address>(true) { }));
    public static final Event KEY_REGISTERED = new Event("KeyRegistered", List.of(new TypeReference<Bytes32>(true) { },
            new TypeReference<Bytes32>() { }, new TypeReference<Address>(true) { }));
    public static final Event KEY_DEACTIVATED = new Event("KeyDeactivated",
            List.of(new TypeReference<Bytes32>(true) { }, new TypeReference<Address>(true) { }));
    public static final Event AUDIT_ANCHORED = new Event("AuditAnchored", List.of(new TypeReference<Address>(true) { },
            new TypeReference<Bytes32>(true) { }, new TypeReference<Uint64>() { }, new TypeReference<Uint64>() { },
            new TypeReference<Bytes32>() { }));

    private static final String TOPIC_GATEWAY_AUTHORIZED = EventEncoder.encode(GATEWAY_AUTHORIZED);
    private static final String TOPIC_GATEWAY_REMOVED = EventEncoder.encode(GATEWAY_REMOVED);
    private static final String TOPIC_KEY_REGISTERED = EventEncoder.encode(KEY_REGISTERED);
    private static final String TOPIC_KEY_DEACTIVATED = EventEncoder.encode(KEY_DEACTIVATED);
    private static final String TOPIC_AUDIT_ANCHORED = EventEncoder.encode(AUDIT_ANCHORED);

    private RegistryContract() {
    }

    // ---- writes

    public static Function authorizeGateway(String gateway, byte[] kemKeyHash) {
        return tx("authorizeGateway", new Address(gateway), new Bytes32(kemKeyHash));
    }

    public static Function removeGateway(String gateway) {
        return tx("removeGateway", new Address(gateway));
    }

    public static Function transferOwnership(String newOwner) {
        return tx("transferOwnership", new Address(newOwner));
    }

    public static Function registerDeviceKey(byte[] deviceIdHash, byte[] keyCommitment) {
        return tx("registerDeviceKey", new Bytes32(deviceIdHash), new Bytes32(keyCommitment));
    }

    public static Function registerDeviceKeys(List<byte[]> deviceIdHashes, List<byte[]> keyCommitments) {
        return tx("registerDeviceKeys",
                new DynamicArray<>(Bytes32.class, deviceIdHashes.stream().map(Bytes32::new).toList()),
                new DynamicArray<>(Bytes32.class, keyCommitments.stream().map(Bytes32::new).toList()));
    }

    public static Function rotateDeviceKey(byte[] deviceIdHash, byte[] newKeyCommitment) {
        return tx("rotateDeviceKey", new Bytes32(deviceIdHash), new Bytes32(newKeyCommitment));
    }

    public static Function deactivateKey(byte[] deviceIdHash) {
        return tx("deactivateKey", new Bytes32(deviceIdHash));
    }

    public static Function anchorAudit(byte[] streamIdHash, long firstSeq, long lastSeq, byte[] merkleRoot) {
        return tx("anchorAudit", new Bytes32(streamIdHash), new Uint64(firstSeq), new Uint64(lastSeq),
                new Bytes32(merkleRoot));
    }

    // ---- views

    /** Outputs (bytes32 keyCommitment, bool active). */
    public static Function getDeviceKey(byte[] deviceIdHash) {
        return new Function("getDeviceKey", List.of(new Bytes32(deviceIdHash)),
                List.of(new TypeReference<Bytes32>() { }, new TypeReference<Bool>() { }));
    }

    /** Outputs (bytes32 kemKeyHash, bool authorized). */
    public static Function gatewayKey(String gateway) {
        return new Function("gatewayKey", List.of(new Address(gateway)),
                List.of(new TypeReference<Bytes32>() { }, new TypeReference<Bool>() { }));
    }

    /** Outputs (address). */
    public static Function owner() {
        return new Function("owner", List.of(), List.of(new TypeReference<Address>() { }));
    }

    /** Outputs (address gateway, uint64 lastSeq): who owns an audit stream and where its next anchor must start. */
    public static Function streamAnchor(byte[] streamIdHash) {
        return new Function("streamAnchor", List.of(new Bytes32(streamIdHash)),
                List.of(new TypeReference<Address>() { }, new TypeReference<Uint64>() { }));
    }

    // ---- events

    /** topic0 of the five §9 events, for an eth_getLogs / eth_newFilter topic filter (OR of these). */
    public static List<String> eventTopics() {
        return List.of(TOPIC_KEY_REGISTERED, TOPIC_KEY_DEACTIVATED, TOPIC_AUDIT_ANCHORED, TOPIC_GATEWAY_AUTHORIZED,
                TOPIC_GATEWAY_REMOVED);
    }

    /**
     * Decodes a registry log; empty for any other log (another contract's, OwnershipTransferred, malformed).
     * The caller should filter by the registry address and check {@link Log#isRemoved()} (a reorg retracts logs).
     */
    @SuppressWarnings("rawtypes")
    public static Optional<RegistryEvent> decode(Log log) {
        List<String> topics = log.getTopics();
        if (topics == null || topics.isEmpty() || log.getBlockNumberRaw() == null) {
            return Optional.empty();
        }
        String topic0 = topics.get(0).toLowerCase(Locale.ROOT);
        String txHash = log.getTransactionHash();
        long block = log.getBlockNumber().longValueExact();
        try {
            if (topic0.equals(TOPIC_KEY_REGISTERED) && topics.size() == 3) {
                List<Type> data = FunctionReturnDecoder.decode(log.getData(), KEY_REGISTERED.getNonIndexedParameters());
                return Optional.of(new RegistryEvent.KeyRegistered(bytes32(topics.get(1)), (byte[]) data.get(0).getValue(),
                        address(topics.get(2)), txHash, block));
            }
            if (topic0.equals(TOPIC_KEY_DEACTIVATED) && topics.size() == 3) {
                return Optional.of(new RegistryEvent.KeyDeactivated(bytes32(topics.get(1)), address(topics.get(2)),
                        txHash, block));
            }
            if (topic0.equals(TOPIC_AUDIT_ANCHORED) && topics.size() == 3) {
                List<Type> data = FunctionReturnDecoder.decode(log.getData(), AUDIT_ANCHORED.getNonIndexedParameters());
                return Optional.of(new RegistryEvent.AuditAnchored(address(topics.get(1)), bytes32(topics.get(2)),
                        ((BigInteger) data.get(0).getValue()).longValueExact(),
                        ((BigInteger) data.get(1).getValue()).longValueExact(), (byte[]) data.get(2).getValue(),
                        txHash, block));
            }
            if (topic0.equals(TOPIC_GATEWAY_AUTHORIZED) && topics.size() == 2) {
                List<Type> data = FunctionReturnDecoder.decode(log.getData(), GATEWAY_AUTHORIZED.getNonIndexedParameters());
                return Optional.of(new RegistryEvent.GatewayAuthorized(address(topics.get(1)),
                        (byte[]) data.get(0).getValue(), txHash, block));
            }
            if (topic0.equals(TOPIC_GATEWAY_REMOVED) && topics.size() == 2) {
                return Optional.of(new RegistryEvent.GatewayRemoved(address(topics.get(1)), txHash, block));
            }
        } catch (RuntimeException malformed) {
            // A log with our topic0 but the wrong shape is not ours (another contract reusing the signature).
            return Optional.empty();
        }
        return Optional.empty();
    }

    // ---- errors

    /**
     * Human-readable revert reason from revert data (0x-hex selector + ABI arguments), using the custom errors
     * of the registry artifacts, e.g. {@code "DeviceAlreadyActive(0x12…ef)"}; {@code Error(string)} and
     * {@code Panic(uint256)} too. Never throws: unknown data is described as such.
     */
    public static String describeRevert(String revertDataHex) {
        return RevertDecoder.describe(revertDataHex);
    }

    // ----

    private static byte[] bytes32(String topic) {
        return ((Bytes32) FunctionReturnDecoder.decodeIndexedValue(topic, new TypeReference<Bytes32>() { })).getValue();
    }

    private static String address(String topic) {
        return ((Address) FunctionReturnDecoder.decodeIndexedValue(topic, new TypeReference<Address>() { }))
                .getValue().toLowerCase(Locale.ROOT);
    }

    @SuppressWarnings("rawtypes")
    static Function tx(String name, Type... inputs) {
        return new Function(name, List.of(inputs), List.of());
    }
}
