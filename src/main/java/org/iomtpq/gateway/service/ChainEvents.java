package org.iomtpq.gateway.service;

import java.util.List;

import org.iomtpq.gateway.chain.RegistryEvent;
import org.iomtpq.gateway.protocol.DeviceStatus;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.store.DeviceRepository;

/**
 * Local state follows the registry's events, whoever caused them (PROTOCOL.md §5, §7): a KeyDeactivated revokes the
 * device here too; a KeyRegistered activates a device waiting for exactly that commitment. Handling is idempotent:
 * the log consumer may deliver an event again (at start it re-emits the latest block's logs).
 */
public final class ChainEvents {

    private final DeviceRepository devices;
    private final OnChainKeys onChain;
    private final ChainEffects effects;
    private final RevocationService revocation;
    private final java.time.Clock clock;

    public ChainEvents(DeviceRepository devices, OnChainKeys onChain, ChainEffects effects, RevocationService revocation,
                       java.time.Clock clock) {
        this.devices = devices;
        this.onChain = onChain;
        this.effects = effects;
        this.revocation = revocation;
        this.clock = clock;
    }

    public List<DeviceNotification> on(RegistryEvent event) {
        if (event instanceof RegistryEvent.KeyDeactivated e) {
            String idHash = Hex0x.encode(e.deviceIdHash());
            onChain.invalidate(idHash);
            devices.findByDeviceIdHash(idHash).filter(d -> d.status() != DeviceStatus.REVOKED)
                    .ifPresent(d -> revocation.revokedOnChain(d, e.gateway(), e.txHash()));
            return List.of();
        }
        if (event instanceof RegistryEvent.KeyRegistered e) {
            String idHash = Hex0x.encode(e.deviceIdHash());
            onChain.invalidate(idHash);
            String commitment = Hex0x.encode(e.keyCommitment());
            return devices.findByDeviceIdHash(idHash)
                    .filter(d -> d.status() == DeviceStatus.PENDING_CHAIN && commitment.equals(d.keyCommitment()))
                    .map(d -> effects.registered(d.deviceId(), commitment, e.txHash(), clock.instant()))
                    .orElse(List.of());
        }
        return List.of();
    }
}
