package org.iomtpq.gateway.embedded;

import de.bwaldvogel.mongo.bson.Document;

/**
 * The BSON bytes of documents recently read from or written to a page, by the document's identity, so that saving a
 * leaf page again does not encode again the documents on it that did not change. A commit writes every leaf page it
 * changed in full, so one changed document re-encoded the other 47 of its page each time: a third of a commit's CPU in
 * a handshake profile (issue 9).
 * <p>
 * An object's bytes stay right as long as the object does not change. Stored documents change in one place only: the
 * server applies an update to the stored object itself and puts it back, and {@link BsonH2Collection} drops its
 * bytes before that put ({@link #forget}). Everything else the server stores is a new object, which misses here and
 * is encoded afresh.
 * <p>
 * A fixed number of slots, picked by identity hash; a collision replaces the older entry (only a cache miss later).
 * Entries are immutable, so a slot read by another thread is either the old entry or the new one, never half of one.
 * Memory: at most {@link #SLOTS} entries of at most {@link #LARGEST} bytes, typically a few MB.
 */
final class EncodedDocuments {

    static final int SLOTS = 1 << 13;
    /** Larger documents are re-encoded at each save rather than kept (they are few, and changed often: ledger chunks). */
    static final int LARGEST = 16 * 1024;

    private record Entry(Document document, byte[] bson) {
    }

    private final Entry[] slots = new Entry[SLOTS];

    /** The bytes last noted for exactly this object, or null. */
    byte[] of(Document document) {
        Entry e = slots[slot(document)];
        return e != null && e.document == document ? e.bson : null;
    }

    void note(Document document, byte[] bson) {
        if (bson.length <= LARGEST) {
            slots[slot(document)] = new Entry(document, bson);
        }
    }

    /** The object is about to change: whatever is kept for it goes. */
    void forget(Document document) {
        int slot = slot(document);
        Entry e = slots[slot];
        if (e != null && e.document == document) {
            slots[slot] = null;
        }
    }

    private static int slot(Object document) {
        int h = System.identityHashCode(document);
        return (h ^ (h >>> 16)) & (SLOTS - 1);
    }
}
