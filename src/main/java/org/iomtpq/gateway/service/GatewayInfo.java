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

    public GatewayInfo(GatewayIdentity identity, RegistryMode registryMode) {
        this.identity = identity;
        this.registryMode = registryMode;
    }

    public GatewayRecord record() {
        return new GatewayRecord(identity.gatewayId(), identity.publicKey(),
                Hex0x.encode(identity.keyPair().publicKey().keccak256()), ZERO_ADDRESS);
    }

    public RegistryMode registryMode() {
        return registryMode;
    }

    public String gatewayId() {
        return identity.gatewayId();
    }
}
