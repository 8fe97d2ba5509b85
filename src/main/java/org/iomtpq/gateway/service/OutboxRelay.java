package org.iomtpq.gateway.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.iomtpq.gateway.chain.ChainRevertException;
import org.iomtpq.gateway.chain.ChainUnavailableException;
import org.iomtpq.gateway.chain.NonceConsumedException;
import org.iomtpq.gateway.chain.RegistryClient;
import org.iomtpq.gateway.chain.RegistryContract;
import org.iomtpq.gateway.chain.SignedTx;
import org.iomtpq.gateway.chain.TxOutcome;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.store.OutboxEntry;
import org.iomtpq.gateway.store.OutboxRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.datatypes.Function;

/**
 * Relays the outbox to the registry, oldest first, one transaction at a time per gateway account (PROTOCOL.md §9).
 * Each operation is signed, stored, then broadcast: after a crash the stored bytes are broadcast again (same hash), so
 * nothing is sent twice and nothing is lost. The chain being down only delays things. What a mined (or reverted)
 * transaction means for local state is {@link ChainEffects}' job.
 */
public final class OutboxRelay {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    private static final Duration REBROADCAST_AFTER = Duration.ofSeconds(5);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** How long an operation may wait for the local write that follows its outbox entry before it counts as moot. */
    private static final Duration SETTLE = Duration.ofSeconds(10);

    private final OutboxRepository outbox;
    private final RegistryClient registry;
    private final ChainEffects effects;
    private final Clock clock;
    private long nextNonce = -1;
    private final java.util.Map<String, Instant> lastBroadcast = new java.util.HashMap<>();

    public OutboxRelay(OutboxRepository outbox, RegistryClient registry, ChainEffects effects, Clock clock) {
        this.outbox = outbox;
        this.registry = registry;
        this.effects = effects;
        this.clock = clock;
    }

    /** One pass over what is due; returns the device notifications its effects produced. Called by a timer route. */
    public synchronized List<DeviceNotification> tick() {
        List<DeviceNotification> notifications = new ArrayList<>();
        for (OutboxEntry entry : outbox.due(clock.instant(), 50)) {
            try {
                if (!step(entry, notifications)) {
                    break; // keep the order: a later operation may depend on this one
                }
            } catch (ChainUnavailableException e) {
                backOff(entry, "chain unavailable: " + e.getMessage());
                break;
            } catch (ProtocolException e) {
                // OnChainKeys (alreadyOnChain) reports an unreachable node as UNAVAILABLE, for devices: same back-off.
                if (e.code() != ErrorCode.UNAVAILABLE) {
                    throw e;
                }
                backOff(entry, "chain unavailable: " + e.getMessage());
                break;
            }
        }
        return notifications;
    }

    /** True when the relay may go on to the next entry. */
    private boolean step(OutboxEntry entry, List<DeviceNotification> notifications) {
        if (entry.status() == OutboxEntry.Status.PENDING) {
            Optional<String> skip = effects.reasonToSkip(entry);
            if (skip.isPresent() && entry.createdAt().plus(SETTLE).isAfter(clock.instant())) {
                // The outbox is written before the record it belongs to: that write may still be under way.
                return false;
            }
            if (skip.isPresent()) {
                outbox.finish(entry.id(), OutboxEntry.Status.CANCELLED, skip.get(), clock.instant());
                notifications.addAll(effects.cancelled(entry));
                return true;
            }
            if (effects.alreadyOnChain(entry)) {
                outbox.finish(entry.id(), OutboxEntry.Status.CONFIRMED, "already on chain", clock.instant());
                notifications.addAll(effects.confirmed(entry, null));
                return true;
            }
            signAndBroadcast(entry, notifications);
            return false; // wait for this receipt before the next operation
        }
        Optional<TxOutcome> outcome = registry.outcome(entry.txHash());
        if (outcome.isEmpty()) {
            rebroadcastIfStale(entry);
            return false;
        }
        lastBroadcast.remove(entry.id());
        if (outcome.get().success()) {
            outbox.finish(entry.id(), OutboxEntry.Status.CONFIRMED, "block " + outcome.get().blockNumber(), clock.instant());
            notifications.addAll(effects.confirmed(entry, entry.txHash()));
        } else {
            String reason = outcome.get().revertReason() == null ? "reverted" : outcome.get().revertReason();
            outbox.finish(entry.id(), OutboxEntry.Status.REVERTED, reason, clock.instant());
            notifications.addAll(effects.reverted(entry, reason));
        }
        return true;
    }

    private void signAndBroadcast(OutboxEntry entry, List<DeviceNotification> notifications) {
        SignedTx tx;
        try {
            tx = registry.sign(call(entry), nonce());
        } catch (ChainRevertException e) {
            // The call would revert now (estimation): record it as reverted without spending gas.
            outbox.finish(entry.id(), OutboxEntry.Status.REVERTED, e.getMessage(), clock.instant());
            notifications.addAll(effects.reverted(entry, e.getMessage()));
            return;
        }
        outbox.markSigned(entry.id(), tx.nonce(), tx.rawTxHex(), tx.txHash(), clock.instant());
        nextNonce = tx.nonce() + 1;
        effects.submitted(entry, tx.txHash());
        broadcast(entry.id(), tx);
    }

    private void rebroadcastIfStale(OutboxEntry entry) {
        Instant last = lastBroadcast.get(entry.id());
        if (last != null && last.plus(REBROADCAST_AFTER).isAfter(clock.instant())) {
            return;
        }
        try {
            broadcast(entry.id(), new SignedTx(entry.nonce(), entry.rawTx(), entry.txHash()));
        } catch (NonceConsumedException e) {
            LOG.warn("nonce {} of {} was used by another transaction: signing again", entry.nonce(), entry.id());
            outbox.resetToPending(entry.id(), "nonce consumed elsewhere");
            nextNonce = -1;
        }
    }

    private void broadcast(String id, SignedTx tx) {
        registry.broadcast(tx);
        lastBroadcast.put(id, clock.instant());
        LOG.info("sent {} as {} (nonce {})", id, tx.txHash(), tx.nonce());
    }

    /** Across restarts: the node's pending count, or past everything we ever signed, whichever is higher. */
    private long nonce() {
        if (nextNonce < 0) {
            nextNonce = Math.max(registry.nextNonce(), outbox.maxSignedNonce() + 1);
        }
        return nextNonce;
    }

    private void backOff(OutboxEntry entry, String why) {
        long seconds = Math.min(MAX_BACKOFF.toSeconds(), 1L << Math.min(entry.attempts(), 5));
        outbox.defer(entry.id(), clock.instant().plusSeconds(seconds), why);
        LOG.warn("outbox {}: {} (next try in {} s)", entry.id(), why, seconds);
        nextNonce = -1;
    }

    private static Function call(OutboxEntry e) {
        byte[] id = Hex0x.decode32(e.deviceIdHash());
        return switch (e.op()) {
            case REGISTER -> RegistryContract.registerDeviceKey(id, Hex0x.decode32(e.commitment()));
            case ROTATE -> RegistryContract.rotateDeviceKey(id, Hex0x.decode32(e.commitment()));
            case DEACTIVATE -> RegistryContract.deactivateKey(id);
            case ANCHOR -> RegistryContract.anchorAudit(id, e.firstSeq(), e.lastSeq(), Hex0x.decode32(e.commitment()));
        };
    }
}
