package org.iomtpq.gateway.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.iomtpq.gateway.chain.ChainRevertException;
import org.iomtpq.gateway.chain.ChainUnavailableException;
import org.iomtpq.gateway.chain.NonceConsumedException;
import org.iomtpq.gateway.chain.RegistryContract;
import org.iomtpq.gateway.chain.RegistryTransactions;
import org.iomtpq.gateway.chain.SignedTx;
import org.iomtpq.gateway.chain.TxOutcome;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.store.OutboxEntry;
import org.iomtpq.gateway.store.OutboxEntry.Op;
import org.iomtpq.gateway.store.OutboxEntry.Status;
import org.iomtpq.gateway.store.OutboxRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.datatypes.Function;

/**
 * Relays the outbox to the registry (PROTOCOL.md §9) with up to {@link Limits#maxInFlight} transactions of the
 * gateway account in flight, each with its own nonce. Each round first collects the outcomes of what is in flight,
 * then sends what may go: pending registrations together as ONE {@code registerDeviceKeys} (at most
 * {@link Limits#registerBatchMax}), everything else one transaction each (the contract has no batch form of
 * rotateDeviceKey, deactivateKey or anchorAudit).
 * <p>
 * Guarantees, as with one transaction at a time: every transaction is signed and stored before it is broadcast, so
 * after a crash the stored bytes go out again (same hash) and nothing is sent twice or lost; a chain that is down only
 * delays things. Operations on the same device (or audit stream) keep their order: one waits until every earlier
 * open operation on its device is finished, because what it does, and whether it is already on chain, depends on
 * the earlier one being mined. A batch that reverts does not fail its devices: its registrations are sent again one
 * by one, so that only the one that really fails is refused. What an outcome means for local state is
 * {@link OutboxEffects}' job. At the end of every round the answers waiting for their entry's transaction learn its
 * hash, or that this round did not send it ({@link SubmissionWaits}).
 */
public final class OutboxRelay {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    private static final Duration REBROADCAST_AFTER = Duration.ofSeconds(5);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** How long an operation may wait for the local write that follows its outbox entry before it counts as moot. */
    private static final Duration SETTLE = Duration.ofSeconds(10);
    /**
     * Answers may ring for a round of their own while fewer transactions than this wait to be mined: one (an audit
     * anchor, the previous answer's) does not stop them; more mean a fleet is being batched, and rounds rung per
     * answer would spend the in-flight slots on tiny batches.
     */
    private static final int ANSWERS_RING_BELOW = 2;

    /**
     * @param registerBatchMax registrations in one registerDeviceKeys (iomt.outbox.register-batch-max)
     * @param maxInFlight      signed transactions waiting to be mined at once (iomt.outbox.max-in-flight)
     */
    public record Limits(int registerBatchMax, int maxInFlight) {
        public Limits {
            if (registerBatchMax < 1 || maxInFlight < 1) {
                throw new IllegalArgumentException("register-batch-max and max-in-flight must be at least 1");
            }
        }
    }

    /** What a pending operation needs now. */
    private enum Readiness { SEND, HOLD, DONE }

    private final OutboxRepository outbox;
    private final RegistryTransactions registry;
    private final OutboxEffects effects;
    private final Clock clock;
    private final Limits limits;
    private final SubmissionWaits waits;
    private final Map<String, Instant> lastBroadcast = new HashMap<>();
    private long nextNonce = -1;
    /** Transactions of the gateway account waiting to be mined, as this round knows them. */
    private int inFlight;
    /** The entry being worked on: the one to back off when the chain turns out to be unreachable. */
    private OutboxEntry current;
    private boolean warmedUp;

    public OutboxRelay(OutboxRepository outbox, RegistryTransactions registry, OutboxEffects effects, Clock clock,
                       Limits limits, SubmissionWaits waits) {
        this.outbox = outbox;
        this.registry = registry;
        this.effects = effects;
        this.clock = clock;
        this.limits = limits;
        this.waits = waits;
    }

    /**
     * One round; returns the device notifications its effects produced. Called by a timer route, at once when an
     * answer rings ({@link SubmissionWaits#awaitRing}).
     */
    public synchronized List<DeviceNotification> tick() {
        if (!warmedUp) {
            warmedUp = true;
            registry.warmUp(); // the timer's first round comes right after start, before any answer waits
        }
        List<DeviceNotification> notifications = new ArrayList<>();
        long started = waits.roundStarts(); // before the outbox is read: answers that wait from later are not ours to end
        Instant now = clock.instant();
        Map<String, String> sent = new HashMap<>(); // every entry this round saw → the hash it goes out in, or null
        boolean chainAnswered = false;
        try {
            RelayRound round = RelayRound.of(outbox.openInOrder(now));
            sent.putAll(round.storedHashes());
            inFlight = round.transactions();
            if (collectOutcomes(round, now, notifications)) {
                round = RelayRound.of(outbox.openInOrder(now)); // finished and re-opened entries change what may go now
                sent.putAll(round.storedHashes());
                inFlight = round.transactions();
            }
            sendWhatMayGo(round, now, notifications, sent);
            chainAnswered = true;
        } catch (ChainUnavailableException e) {
            backOff(current, "chain unavailable: " + e.getMessage());
        } catch (ProtocolException e) {
            // OnChainKeys (alreadyOnChain) reports an unreachable node as UNAVAILABLE, for devices: same back-off.
            if (e.code() != ErrorCode.UNAVAILABLE) {
                throw e;
            }
            backOff(current, "chain unavailable: " + e.getMessage());
        } finally {
            current = null;
            if (!chainAnswered) {
                sent.replaceAll((id, txHash) -> null); // the node did not take this round's transactions: name none
            }
            waits.roomForAnswers(chainAnswered && roomForAnswers());
            waits.roundEnded(sent, started);
        }
        return notifications;
    }

    /**
     * A round of an instance that does not relay ({@link RelayLeadership}): answers waiting here name the transaction
     * once the relaying instance has signed and stored it; nothing is signed or sent here.
     */
    public List<DeviceNotification> followOtherRelay() {
        if (waits.anyWaiting()) {
            long started = waits.roundStarts();
            Map<String, String> signed = new HashMap<>();
            RelayRound.of(outbox.openInOrder(clock.instant())).storedHashes().forEach((id, txHash) -> {
                if (txHash != null) {
                    signed.put(id, txHash);
                }
            });
            waits.roundEnded(signed, started);
        }
        return List.of();
    }

    /**
     * Whether answers may ring for a round of their own now. Told as soon as it changes (a receipt collected, a
     * transaction signed), so that an answer arriving during a long round does not go by the state before it.
     */
    private boolean roomForAnswers() {
        return inFlight < Math.min(ANSWERS_RING_BELOW, limits.maxInFlight());
    }

    private void inFlightChanged(int by) {
        inFlight += by;
        waits.roomForAnswers(roomForAnswers());
    }

    // ---- in flight: receipts, rebroadcasts

    /** True when an entry was finished or put back to pending. */
    private boolean collectOutcomes(RelayRound round, Instant now, List<DeviceNotification> notifications) {
        boolean changed = false;
        for (OutboxEntry e : round.entries()) {
            if (e.status() != Status.SIGNED || e.nextAttemptAt().isAfter(now)) {
                continue;
            }
            current = e;
            if (e.carriesTransaction()) {
                changed |= collect(e, round, now, notifications);
            } else if (e.batchId() != null && !round.byId().containsKey(e.batchId())) {
                changed |= collectWithoutItsBatch(e, now, notifications);
            }
        }
        return changed;
    }

    private boolean collect(OutboxEntry e, RelayRound round, Instant now, List<DeviceNotification> notifications) {
        Optional<TxOutcome> outcome = registry.outcome(e.txHash());
        if (outcome.isEmpty()) {
            return rebroadcastIfStale(e, round, now);
        }
        lastBroadcast.remove(e.id());
        inFlightChanged(-1); // before its entry is finished: whoever sees it finished finds the room told
        TxOutcome mined = outcome.get();
        if (e.op() == Op.REGISTER_BATCH) {
            batchMined(e, round.membersOf(e), mined, now, notifications);
        } else if (mined.success()) {
            outbox.finish(e.id(), Status.CONFIRMED, "block " + mined.blockNumber(), now);
            notifications.addAll(effects.confirmed(e, e.txHash()));
        } else {
            String reason = reasonOf(mined);
            outbox.finish(e.id(), Status.REVERTED, reason, now);
            notifications.addAll(effects.reverted(e, reason));
        }
        return true;
    }

    /**
     * Effects first, then the entries are finished: a crash in between applies the effects again, which changes
     * nothing (activation is conditional), instead of leaving devices PENDING_CHAIN behind finished entries.
     */
    private void batchMined(OutboxEntry batch, List<OutboxEntry> members, TxOutcome mined, Instant now,
                            List<DeviceNotification> notifications) {
        List<String> ids = members.stream().map(OutboxEntry::id).toList();
        if (mined.success()) {
            for (OutboxEntry m : members) {
                if (m.batchId() == null) { // a crash came between storing the batch and marking its members
                    effects.submitted(m, batch.txHash());
                }
                notifications.addAll(effects.confirmed(m, batch.txHash()));
            }
            outbox.finishAll(ids, Status.CONFIRMED, "block " + mined.blockNumber() + " in " + batch.id(), now);
            outbox.finish(batch.id(), Status.CONFIRMED, "block " + mined.blockNumber() + ": " + batch.members().size()
                    + " registrations", now);
            LOG.info("{} registrations mined in {} (block {}, {} gas)", batch.members().size(), batch.txHash(),
                    mined.blockNumber(), mined.gasUsed());
            return;
        }
        String reason = reasonOf(mined);
        LOG.warn("batch {} of {} registrations reverted ({}): sending them one by one", batch.txHash(), ids.size(), reason);
        outbox.returnToPending(ids, "its batch reverted (" + reason + "): sent alone", true);
        outbox.finish(batch.id(), Status.REVERTED, reason, now);
    }

    /** A batch member whose batch entry is finished: cannot happen in the relay's order of writes; read its own hash. */
    private boolean collectWithoutItsBatch(OutboxEntry m, Instant now, List<DeviceNotification> notifications) {
        Optional<TxOutcome> outcome = registry.outcome(m.txHash());
        if (outcome.isEmpty()) {
            LOG.warn("outbox {}: its batch {} is finished but {} is not mined; left as it is", m.id(), m.batchId(), m.txHash());
            return false;
        }
        if (outcome.get().success()) {
            notifications.addAll(effects.confirmed(m, m.txHash()));
            outbox.finish(m.id(), Status.CONFIRMED, "block " + outcome.get().blockNumber() + " in " + m.batchId(), now);
        } else {
            outbox.returnToPending(List.of(m.id()), "its batch reverted (" + reasonOf(outcome.get()) + "): sent alone", true);
        }
        return true;
    }

    /** True when the transaction can never be mined (its nonce went elsewhere) and its operations were re-opened. */
    private boolean rebroadcastIfStale(OutboxEntry e, RelayRound round, Instant now) {
        Instant last = lastBroadcast.get(e.id());
        if (last != null && last.plus(REBROADCAST_AFTER).isAfter(now)) {
            return false;
        }
        try {
            broadcast(e.id(), new SignedTx(e.nonce(), e.rawTx(), e.txHash()));
            return false;
        } catch (NonceConsumedException consumed) {
            LOG.warn("nonce {} of {} was used by another transaction: signing again", e.nonce(), e.id());
            lastBroadcast.remove(e.id());
            nextNonce = -1;
            inFlightChanged(-1);
            if (e.op() == Op.REGISTER_BATCH) { // members first: until the batch is finished it still holds them
                outbox.returnToPending(round.membersOf(e).stream().map(OutboxEntry::id).toList(), "nonce consumed elsewhere", false);
                outbox.finish(e.id(), Status.CANCELLED, "nonce consumed elsewhere; its registrations are signed again", now);
            } else {
                outbox.resetToPending(e.id(), "nonce consumed elsewhere");
            }
            return true;
        }
    }

    // ---- sending

    /** What was sent (signed, stored and taken by the node) goes into {@code sent}. */
    private void sendWhatMayGo(RelayRound round, Instant now, List<DeviceNotification> notifications, Map<String, String> sent) {
        int free = limits.maxInFlight() - round.transactions();
        Set<String> busyDevices = new HashSet<>();
        List<OutboxEntry> batch = new ArrayList<>();
        for (OutboxEntry e : round.entries()) {
            if (e.op() == Op.REGISTER_BATCH) {
                continue; // a batch orders nothing
            }
            if (!busyDevices.add(e.deviceId())) {
                // an earlier operation on this device is still open: its answer keeps waiting (up to its bound) for the
                // round after that one is mined, instead of being told "null" now
                sent.remove(e.id(), null);
                continue;
            }
            if (e.status() != Status.PENDING || round.carriedByBatch().contains(e.id()) || e.nextAttemptAt().isAfter(now)) {
                continue; // in flight or deferred: it keeps its device busy
            }
            boolean batched = e.op() == Op.REGISTER && !e.alone();
            boolean room = batched ? batch.size() < limits.registerBatchMax() && (!batch.isEmpty() || free > 0) : free > 0;
            if (!room) {
                continue; // next round; its checks are not spent now
            }
            current = e;
            switch (readiness(e, now, notifications)) {
                case HOLD -> { }
                case DONE -> busyDevices.remove(e.deviceId());
                case SEND -> {
                    if (!batched) {
                        signAndBroadcast(e, round, now, notifications, sent);
                        free--;
                    } else {
                        free -= batch.isEmpty() ? 1 : 0; // one transaction, one slot, for the whole batch
                        batch.add(e);
                    }
                }
            }
        }
        if (batch.size() == 1) {
            signAndBroadcast(batch.get(0), round, now, notifications, sent); // registerDeviceKey costs less than a batch of one
        } else if (!batch.isEmpty()) {
            signAndBroadcastBatch(batch, round, now, sent);
        }
    }

    private Readiness readiness(OutboxEntry e, Instant now, List<DeviceNotification> notifications) {
        Optional<String> skip = effects.reasonToSkip(e);
        if (skip.isPresent() && e.createdAt().plus(SETTLE).isAfter(now)) {
            return Readiness.HOLD; // the outbox is written before the record it belongs to: that write may be under way
        }
        if (skip.isPresent()) {
            outbox.finish(e.id(), Status.CANCELLED, skip.get(), now);
            notifications.addAll(effects.cancelled(e));
            return Readiness.DONE;
        }
        if (effects.alreadyOnChain(e)) {
            outbox.finish(e.id(), Status.CONFIRMED, "already on chain", now);
            notifications.addAll(effects.confirmed(e, null));
            return Readiness.DONE;
        }
        return Readiness.SEND;
    }

    private void signAndBroadcast(OutboxEntry e, RelayRound round, Instant now, List<DeviceNotification> notifications,
                                  Map<String, String> sent) {
        current = e;
        SignedTx tx;
        try {
            tx = registry.sign(call(e), nonce(round));
        } catch (ChainRevertException reverts) {
            // The call would revert now (estimation): record it as reverted without spending gas.
            outbox.finish(e.id(), Status.REVERTED, reverts.getMessage(), now);
            notifications.addAll(effects.reverted(e, reverts.getMessage()));
            return;
        }
        outbox.markSigned(e.id(), tx.nonce(), tx.rawTxHex(), tx.txHash(), now);
        nextNonce = tx.nonce() + 1;
        inFlightChanged(1);
        effects.submitted(e, tx.txHash());
        if (broadcastNew(e.id(), tx)) {
            sent.put(e.id(), tx.txHash());
        }
    }

    /**
     * Order of writes: the batch with its bytes, then its members' mark. A crash before the first leaves nothing sent
     * and the members pending; after it, the stored batch holds its members (even unmarked) and is re-broadcast.
     */
    private void signAndBroadcastBatch(List<OutboxEntry> members, RelayRound round, Instant now, Map<String, String> sent) {
        current = members.get(0);
        List<String> ids = members.stream().map(OutboxEntry::id).toList();
        Function call = RegistryContract.registerDeviceKeys(
                members.stream().map(m -> Hex0x.decode32(m.deviceIdHash())).toList(),
                members.stream().map(m -> Hex0x.decode32(m.commitment())).toList());
        SignedTx tx;
        try {
            tx = registry.sign(call, nonce(round));
        } catch (ChainRevertException reverts) {
            // registerDeviceKeys reverts as a whole (e.g. a commitment retired on chain): no gas spent, and one by one
            // the estimation names the registration that fails.
            LOG.warn("a batch of {} registrations would revert ({}): sending them one by one", ids.size(), reverts.getMessage());
            outbox.returnToPending(ids, "a batch with it would revert (" + reverts.getMessage() + "): sent alone", true);
            return;
        }
        OutboxEntry batch = OutboxEntry.signedBatch(ids, tx.nonce(), tx.rawTxHex(), tx.txHash(), now);
        outbox.add(batch);
        outbox.markBatchMembers(ids, batch.id(), tx.nonce(), tx.txHash(), now);
        nextNonce = tx.nonce() + 1;
        inFlightChanged(1);
        members.forEach(m -> effects.submitted(m, tx.txHash()));
        current = batch;
        if (broadcastNew(batch.id(), tx)) {
            ids.forEach(id -> sent.put(id, tx.txHash()));
        }
    }

    /**
     * False when the nonce was taken: that shows up on the next round's re-broadcast, which re-opens the operations
     * (so no answer names this hash).
     */
    private boolean broadcastNew(String id, SignedTx tx) {
        try {
            broadcast(id, tx);
            return true;
        } catch (NonceConsumedException consumed) {
            LOG.warn("{}: nonce {} already used by another transaction; re-opened on the next round", id, tx.nonce());
            nextNonce = -1;
            return false;
        }
    }

    private void broadcast(String id, SignedTx tx) {
        registry.broadcast(tx);
        lastBroadcast.put(id, clock.instant());
        LOG.info("sent {} as {} (nonce {})", id, tx.txHash(), tx.nonce());
    }

    /**
     * Across restarts: the node's pending count, or past every open transaction we signed, whichever is higher (a
     * finished one was mined, so the node counts it). No scan of the outbox: the open entries are at hand.
     */
    private long nonce(RelayRound round) {
        if (nextNonce < 0) {
            nextNonce = Math.max(registry.nextNonce(), round.highestOpenNonce() + 1);
        }
        return nextNonce;
    }

    private void backOff(OutboxEntry entry, String why) {
        nextNonce = -1;
        if (entry == null) {
            LOG.warn("outbox: {}", why);
            return;
        }
        long seconds = Math.min(MAX_BACKOFF.toSeconds(), 1L << Math.min(entry.attempts(), 5));
        outbox.defer(entry.id(), clock.instant().plusSeconds(seconds), why);
        LOG.warn("outbox {}: {} (next try in {} s)", entry.id(), why, seconds);
    }

    private static String reasonOf(TxOutcome mined) {
        return mined.revertReason() == null ? "reverted" : mined.revertReason();
    }

    private static Function call(OutboxEntry e) {
        byte[] id = Hex0x.decode32(e.deviceIdHash());
        return switch (e.op()) {
            case REGISTER -> RegistryContract.registerDeviceKey(id, Hex0x.decode32(e.commitment()));
            case ROTATE -> RegistryContract.rotateDeviceKey(id, Hex0x.decode32(e.commitment()));
            case DEACTIVATE -> RegistryContract.deactivateKey(id);
            case ANCHOR -> RegistryContract.anchorAudit(id, e.firstSeq(), e.lastSeq(), Hex0x.decode32(e.commitment()));
            case REGISTER_BATCH -> throw new IllegalStateException("a batch is signed whole, with its bytes stored");
        };
    }
}
