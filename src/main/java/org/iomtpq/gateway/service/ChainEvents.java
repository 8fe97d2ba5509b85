package org.iomtpq.gateway.service;

import java.util.List;

import org.iomtpq.gateway.chain.RegistryEvent;
import org.iomtpq.gateway.protocol.DeviceStatus;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.store.DeviceRecord;
import org.iomtpq.gateway.store.DeviceRepository;

/**
 * Local state follows the registry's events, whoever caused them (PROTOCOL.md §5, §7): a KeyDeactivated revokes the
 * device here too, unless it ended keys the device no longer stands on; a KeyRegistered activates a device waiting for
 * exactly that commitment. Handling is idempotent: the log consumer may deliver an event again (at start it re-emits
 * the latest block's logs).
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
            devices.findByDeviceIdHash(idHash).filter(d -> d.status().holdsKeys()).filter(this::deactivatedItsKey)
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

    /**
     * Whether a KeyDeactivated event, which names no commitment, ended the key {@code device} stands on. The event may
     * be handled long after its block: the log consumer polls on its own and lags behind the relay, which reads its own
     * receipts (and at start it re-emits the latest block). By then an operator may have revoked the device here and
     * enrolled it again with new keys; revoking that new record for its old key's deactivation left it REVOKED with its
     * new commitment while the relay cancelled its registration as moot (issue 10 item 7). So the registry decides:
     * it holding one of the device's keys as active means a registration came after the deactivation (a deactivated
     * commitment is never registered again, §9), and a record still waiting for its registration is concerned only if
     * its own commitment is the one deactivated. In every other case, and when the registry cannot be read, the event
     * revokes (§7, whoever sent it).
     */
    private boolean deactivatedItsKey(DeviceRecord device) {
        OnChainKeys.OnChainKey now;
        try {
            now = onChain.get(device.deviceIdHash());
        } catch (ProtocolException unavailable) {
            return true;
        }
        boolean itsKeyActive = now.active() && (now.commitment().equals(device.keyCommitment())
                || now.commitment().equals(device.pendingKeyCommitment()));
        if (itsKeyActive) {
            return false;
        }
        return device.status() == DeviceStatus.ACTIVE || now.commitment().equals(device.keyCommitment());
    }
}
