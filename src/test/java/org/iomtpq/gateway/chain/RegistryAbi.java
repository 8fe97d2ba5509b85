package org.iomtpq.gateway.chain;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.crypto.Hash;

/** Hand-written web3j descriptions of the §9 registry interface (and the naive baseline) used by the ITs. */
final class RegistryAbi {

    static final Event GATEWAY_AUTHORIZED = new Event("GatewayAuthorized",
            List.of(new TypeReference<Address>(true) { }, new TypeReference<Bytes32>() { }));
    static final Event GATEWAY_REMOVED = new Event("GatewayRemoved", List.of(new TypeReference<Address>(true) { }));
    static final Event KEY_REGISTERED = new Event("KeyRegistered", List.of(new TypeReference<Bytes32>(true) { },
            new TypeReference<Bytes32>() { }, new TypeReference<Address>(true) { }));
    static final Event KEY_DEACTIVATED = new Event("KeyDeactivated",
            List.of(new TypeReference<Bytes32>(true) { }, new TypeReference<Address>(true) { }));
    static final Event AUDIT_ANCHORED = new Event("AuditAnchored", List.of(new TypeReference<Address>(true) { },
            new TypeReference<Bytes32>(true) { }, new TypeReference<Uint64>() { }, new TypeReference<Uint64>() { },
            new TypeReference<Bytes32>() { }));

    private RegistryAbi() {
    }

    /** keccak256 of UTF-8 text, as the protocol hashes device ids and stream names. */
    static byte[] keccak(String text) {
        return Hash.sha3(text.getBytes(StandardCharsets.UTF_8));
    }

    static Function authorizeGateway(String gateway, byte[] kemKeyHash) {
        return tx("authorizeGateway", new Address(gateway), new Bytes32(kemKeyHash));
    }

    static Function removeGateway(String gateway) {
        return tx("removeGateway", new Address(gateway));
    }

    static Function transferOwnership(String newOwner) {
        return tx("transferOwnership", new Address(newOwner));
    }

    static Function registerDeviceKey(byte[] deviceIdHash, byte[] keyCommitment) {
        return tx("registerDeviceKey", new Bytes32(deviceIdHash), new Bytes32(keyCommitment));
    }

    static Function registerDeviceKeys(List<byte[]> deviceIdHashes, List<byte[]> keyCommitments) {
        return tx("registerDeviceKeys",
                new DynamicArray<>(Bytes32.class, deviceIdHashes.stream().map(Bytes32::new).toList()),
                new DynamicArray<>(Bytes32.class, keyCommitments.stream().map(Bytes32::new).toList()));
    }

    static Function rotateDeviceKey(byte[] deviceIdHash, byte[] newKeyCommitment) {
        return tx("rotateDeviceKey", new Bytes32(deviceIdHash), new Bytes32(newKeyCommitment));
    }

    static Function deactivateKey(byte[] deviceIdHash) {
        return tx("deactivateKey", new Bytes32(deviceIdHash));
    }

    static Function anchorAudit(byte[] streamIdHash, long firstSeq, long lastSeq, byte[] merkleRoot) {
        return tx("anchorAudit", new Bytes32(streamIdHash), new Uint64(firstSeq), new Uint64(lastSeq),
                new Bytes32(merkleRoot));
    }

    static Function getDeviceKey(byte[] deviceIdHash) {
        return new Function("getDeviceKey", List.of(new Bytes32(deviceIdHash)),
                List.of(new TypeReference<Bytes32>() { }, new TypeReference<Bool>() { }));
    }

    static Function gatewayKey(String gateway) {
        return new Function("gatewayKey", List.of(new Address(gateway)),
                List.of(new TypeReference<Bytes32>() { }, new TypeReference<Bool>() { }));
    }

    static Function owner() {
        return new Function("owner", List.of(), List.of(new TypeReference<Address>() { }));
    }

    static Function streamAnchor(byte[] streamIdHash) {
        return new Function("streamAnchor", List.of(new Bytes32(streamIdHash)),
                List.of(new TypeReference<Address>() { }, new TypeReference<Uint64>() { }));
    }

    // ---- the naive baseline contract

    static Function naiveAuthorizeGateway(String gateway) {
        return tx("authorizeGateway", new Address(gateway));
    }

    static Function naiveRegisterDevice(byte[] deviceIdHash, byte[] kemPublicKey, byte[] sigPublicKey) {
        return tx("registerDevice", new Bytes32(deviceIdHash), new DynamicBytes(kemPublicKey),
                new DynamicBytes(sigPublicKey));
    }

    static Function naiveDeactivateDevice(byte[] deviceIdHash) {
        return tx("deactivateDevice", new Bytes32(deviceIdHash));
    }

    @SuppressWarnings("rawtypes")
    private static Function tx(String name, Type... inputs) {
        return new Function(name, List.of(inputs), List.of());
    }
}
