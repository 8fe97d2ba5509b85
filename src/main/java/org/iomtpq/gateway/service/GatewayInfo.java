package org.iomtpq.gateway.service;

import org.iomtpq.gateway.protocol.GatewayRecord;
import org.iomtpq.gateway.protocol.Hex0x;

/**
 * The gateway record devices fetch before their first handshake (PROTOCOL.md §3). Without a chain the address is
 * the zero address (§2) and devices must have the gateway key pinned.
 */
public final class GatewayInfo {

    public static final String ZERO_ADDRESS = "0x" + "0".repeat(40);

    private final GatewayIdentity identity;
    private final RegistryMode registryMode;
    private final String gatewayAddress;

    /** {@code gatewayAddress}: this instance's Ethereum account, or null without a chain (then the zero address, §2). */
    public GatewayInfo(GatewayIdentity identity, RegistryMode registryMode, String gatewayAddress) {
        this.identity = identity;
        this.registryMode = registryMode;
        this.gatewayAddress = gatewayAddress == null ? ZERO_ADDRESS : gatewayAddress;
    }

    public GatewayRecord record() {
        return new GatewayRecord(identity.gatewayId(), identity.publicKey(),
                Hex0x.encode(identity.keyPair().publicKey().keccak256()), gatewayAddress);
    }

    public RegistryMode registryMode() {
        return registryMode;
    }

    public String gatewayId() {
        return identity.gatewayId();
    }
}
