package org.iomtpq.gateway.service;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.iomtpq.gateway.store.OutboxEntry;

/**
 * The open outbox entries of one relay round, oldest first, indexed the ways the relay asks: by id, and which
 * registrations an open batch carries (a crash between storing a batch and marking its members leaves them pending
 * but carried: they must not be signed a second time).
 */
record RelayRound(List<OutboxEntry> entries, Map<String, OutboxEntry> byId, Set<String> carriedByBatch) {

    static RelayRound of(List<OutboxEntry> open) {
        Map<String, OutboxEntry> byId = new HashMap<>();
        Set<String> carried = new HashSet<>();
        for (OutboxEntry e : open) {
            byId.put(e.id(), e);
            if (e.op() == OutboxEntry.Op.REGISTER_BATCH) {
                carried.addAll(e.members());
            }
        }
        return new RelayRound(open, byId, carried);
    }

    /** The batch's registrations still open (all of them, unless a crash cut the round that finished them short). */
    List<OutboxEntry> membersOf(OutboxEntry batch) {
        return batch.members().stream().map(byId::get).filter(Objects::nonNull).toList();
    }

    /**
     * Every entry of the round → the hash of its stored transaction (a batch member: its batch's) if it is signed,
     * null while pending. Earlier rounds stored it, so it goes out in those bytes unless its nonce is found taken.
     */
    Map<String, String> storedHashes() {
        Map<String, String> out = new HashMap<>();
        entries.forEach(e -> out.put(e.id(), e.status() == OutboxEntry.Status.SIGNED ? e.txHash() : null));
        return out;
    }

    /** Open entries that hold a signed transaction of their own (single operations and batches): those in flight. */
    int transactions() {
        return (int) entries.stream().filter(OutboxEntry::carriesTransaction).count();
    }

    /** The highest nonce of an open signed transaction, or -1. */
    long highestOpenNonce() {
        return entries.stream().filter(e -> e.status() == OutboxEntry.Status.SIGNED && e.nonce() != null)
                .mapToLong(OutboxEntry::nonce).max().orElse(-1);
    }
}
