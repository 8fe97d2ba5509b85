package org.iomtpq.gateway.embedded;

import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.LegacyUUID;
import de.bwaldvogel.mongo.bson.MaxKey;
import de.bwaldvogel.mongo.bson.MinKey;
import de.bwaldvogel.mongo.bson.ObjectId;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * The order of a unique index's B-tree: a total order in which two keys compare equal exactly when
 * {@link KeyValue#equals} says they are the same key (then their stored bytes are the same too). The library's own H2
 * index compares Java-serialized bytes, which draws the same line between "same key" and "another key".
 *
 * <p>Element by element, in the server's own type order; values of the same type are compared by
 * {@link ValueComparator#ascWithoutListHandling()} where that is a consistent order: numbers, strings, ObjectIds,
 * booleans, dates, timestamps, null and missing. Not {@code asc()}: it compares an array by its smallest element,
 * so distinct arrays tie. Documents, arrays, binary data and the rare types are compared by their BSON bytes instead,
 * because the comparator's nested list handling is not antisymmetric (two empty arrays inside documents each compare
 * below the other) and it cannot compare some types at all. Keys the elements do not tell apart (1 and 1L, null and
 * missing) are ordered by their encoded bytes, so the order is total.
 */
final class IndexKeyOrder implements Comparator<KeyValue> {

    static final IndexKeyOrder INSTANCE = new IndexKeyOrder();

    /** The ValueComparator's type order (null and missing first); a type it does not know goes last. */
    private static final List<Class<?>> TYPE_ORDER = List.of(MinKey.class, Number.class, String.class, Document.class,
            List.class, BinData.class, LegacyUUID.class, UUID.class, ObjectId.class, Boolean.class, Instant.class,
            BsonTimestamp.class, BsonRegularExpression.class, MaxKey.class);
    private static final int NULL_OR_MISSING_RANK = -1;

    private static final ValueComparator VALUES = ValueComparator.ascWithoutListHandling();

    private IndexKeyOrder() {
    }

    @Override
    public int compare(KeyValue a, KeyValue b) {
        if (a == b) {
            return 0;
        }
        int common = Math.min(a.size(), b.size());
        for (int i = 0; i < common; i++) {
            int cmp = compareElements(a.get(i), b.get(i));
            if (cmp != 0) {
                return cmp;
            }
        }
        if (a.size() != b.size()) {
            return Integer.compare(a.size(), b.size());
        }
        return Arrays.compareUnsigned(KeyValueType.bytes(a), KeyValueType.bytes(b));
    }

    private static int compareElements(Object a, Object b) {
        int rankA = rank(a);
        int cmp = Integer.compare(rankA, rank(b));
        if (cmp != 0) {
            return cmp;
        }
        if (isComparedByValue(a, rankA)) {
            return VALUES.compare(a, b);
        }
        return Arrays.compareUnsigned(valueBytes(a), valueBytes(b));
    }

    private static byte[] valueBytes(Object value) {
        return BsonBytes.bytes(target -> BsonBytes.writeValue(target, value));
    }

    private static boolean isComparedByValue(Object value, int rank) {
        return rank == NULL_OR_MISSING_RANK || value instanceof Number || value instanceof String
                || value instanceof ObjectId || value instanceof Boolean || value instanceof Instant
                || value instanceof BsonTimestamp;
    }

    private static int rank(Object value) {
        if (Missing.isNullOrMissing(value)) {
            return NULL_OR_MISSING_RANK;
        }
        for (int i = 0; i < TYPE_ORDER.size(); i++) {
            if (TYPE_ORDER.get(i).isInstance(value)) {
                return i;
            }
        }
        return TYPE_ORDER.size();
    }
}
