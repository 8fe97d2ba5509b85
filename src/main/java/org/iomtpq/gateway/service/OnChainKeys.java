package org.iomtpq.gateway.service;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.iomtpq.gateway.chain.ChainUnavailableException;
import org.iomtpq.gateway.chain.DeviceKey;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.protocol.ProtocolException;

/**
 * The registry's view of device keys, cached per deviceIdHash. The cache is dropped for a device whenever the chain
 * says something about it (KeyRegistered, KeyDeactivated, our own confirmed transactions), PROTOCOL.md §5.
 */
public final class OnChainKeys {

    /** An on-chain commitment as 0x hex, and whether it is active. */
    public record OnChainKey(String commitment, boolean active) {
    }

    /** The registry's {@code getDeviceKey} view: {@code RegistryClient::getDeviceKey}, or a test's scripted chain. */
    @FunctionalInterface
    public interface DeviceKeys {
        /** @throws ChainUnavailableException when the node cannot be asked */
        DeviceKey getDeviceKey(byte[] deviceIdHash);
    }

    private final DeviceKeys registry;
    private final Map<String, OnChainKey> cache = new ConcurrentHashMap<>();

    public OnChainKeys(DeviceKeys registry) {
        this.registry = registry;
    }

    /** Fails closed: an unreachable chain is UNAVAILABLE, never "assume it matches". */
    public OnChainKey get(String deviceIdHash) {
        OnChainKey cached = cache.get(deviceIdHash);
        if (cached != null) {
            return cached;
        }
        try {
            DeviceKey key = registry.getDeviceKey(Hex0x.decode32(deviceIdHash));
            OnChainKey fresh = new OnChainKey(Hex0x.encode(key.commitment()), key.active());
            cache.put(deviceIdHash, fresh);
            return fresh;
        } catch (ChainUnavailableException e) {
            throw new ProtocolException(ErrorCode.UNAVAILABLE, "the key registry is unreachable; retry later");
        }
    }

    public void invalidate(String deviceIdHash) {
        cache.remove(deviceIdHash);
    }
}
