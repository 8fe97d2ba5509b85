package org.iomtpq.gateway.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Decimal128;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.MaxKey;
import de.bwaldvogel.mongo.bson.MinKey;
import de.bwaldvogel.mongo.bson.ObjectId;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.h2.mvstore.WriteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The B-tree order of unique-index keys must be a total order in which two keys compare equal exactly when they
 * are the same key; otherwise H2's binary search finds the wrong entry, or none, and uniqueness breaks.
 */
class IndexKeyOrderTest {

    private static final IndexKeyOrder ORDER = IndexKeyOrder.INSTANCE;

    @Test
    void antisymmetricOnARandomSampleOfMixedTypes() {
        List<KeyValue> keys = sample(new Random(9), 400);
        for (KeyValue a : keys) {
            for (KeyValue b : keys) {
                assertEquals(Integer.signum(ORDER.compare(a, b)), -Integer.signum(ORDER.compare(b, a)), a + " / " + b);
            }
        }
    }

    @Test
    void transitiveOnARandomSampleOfMixedTypes() {
        List<KeyValue> keys = sample(new Random(10), 90);
        for (KeyValue a : keys) {
            for (KeyValue b : keys) {
                if (ORDER.compare(a, b) > 0) {
                    continue;
                }
                for (KeyValue c : keys) {
                    if (ORDER.compare(b, c) <= 0) {
                        int ac = ORDER.compare(a, c);
                        assertTrue(ac <= 0, a + " <= " + b + " <= " + c + " but not " + a + " <= " + c);
                        if (ORDER.compare(a, b) < 0 || ORDER.compare(b, c) < 0) {
                            assertTrue(ac < 0, a + " < " + c + " expected");
                        }
                    }
                }
            }
        }
    }

    @Test
    void sortingALargerSampleGivesAnOrderEveryPairAgreesWith() {
        List<KeyValue> keys = sample(new Random(11), 1_500);
        keys.sort(ORDER);
        for (int i = 0; i < keys.size(); i++) {
            for (int j = i + 1; j < keys.size(); j++) {
                assertTrue(ORDER.compare(keys.get(i), keys.get(j)) <= 0, keys.get(i) + " / " + keys.get(j));
            }
        }
    }

    @Test
    void zeroExactlyWhenTheKeysAreEqual() {
        List<KeyValue> keys = sample(new Random(12), 600);
        for (KeyValue a : keys) {
            for (KeyValue b : keys) {
                assertEquals(a.equals(b), ORDER.compare(a, b) == 0, a + " / " + b);
            }
        }
    }

    @Test
    void aTreeKeepsOneEntryPerDistinctKeyAndFindsEveryOne() {
        List<KeyValue> keys = sample(new Random(13), 2_000);
        TreeMap<KeyValue, Integer> tree = new TreeMap<>(ORDER);
        for (int i = 0; i < keys.size(); i++) {
            tree.putIfAbsent(keys.get(i), i);
        }
        assertEquals(new java.util.HashSet<>(keys).size(), tree.size());
        for (KeyValue key : keys) {
            assertEquals(key, tree.ceilingKey(storedCopy(key)), "found through its stored copy");
        }
    }

    @Test
    void missingAndNullAreDifferentKeysBeforeEveryValue() {
        KeyValue missing = new KeyValue(Missing.getInstance());
        KeyValue nullKey = new KeyValue((Object) null);

        assertNotEquals(0, ORDER.compare(missing, nullKey));
        assertEquals(Integer.signum(ORDER.compare(missing, nullKey)), -Integer.signum(ORDER.compare(nullKey, missing)));
        for (Object value : List.of(MinKey.getInstance(), -1e300, "", new Document(), false, Instant.EPOCH)) {
            assertTrue(ORDER.compare(missing, new KeyValue(value)) < 0, "missing before " + value);
            assertTrue(ORDER.compare(nullKey, new KeyValue(value)) < 0, "null before " + value);
        }
        assertSame(Missing.getInstance(), storedCopy(missing).get(0));
        assertEquals(nullKey, storedCopy(nullKey));
    }

    @Test
    void valuesOfTheSameTypeFollowTheServersValueOrder() {
        assertTrue(ORDER.compare(new KeyValue(1), new KeyValue(2.5)) < 0);
        assertTrue(ORDER.compare(new KeyValue(2.5), new KeyValue(3L)) < 0);
        assertTrue(ORDER.compare(new KeyValue(99), new KeyValue("1")) < 0, "numbers before strings");
        assertTrue(ORDER.compare(new KeyValue("abc"), new KeyValue("abd")) < 0);
        assertTrue(ORDER.compare(new KeyValue("s1", 10.0), new KeyValue("s1", 9.0)) > 0, "compound: second field");
        // the same number as another type is another key (the server normalizes numbers before it looks them up)
        assertNotEquals(0, ORDER.compare(new KeyValue(1), new KeyValue(1L)));
    }

    /** As in MongoDB (and the server's Document.equals): field order is part of a document's identity. */
    @Test
    void documentsWithTheSameFieldsInAnotherOrderAreDifferentKeys() {
        KeyValue ab = new KeyValue(new Document("a", 1).append("b", 2));
        KeyValue ba = new KeyValue(new Document("b", 2).append("a", 1));

        assertNotEquals(ab, ba);
        assertNotEquals(0, ORDER.compare(ab, ba));
    }

    @Test
    void keysRoundTripThroughTheirStoredBytes() {
        for (KeyValue key : sample(new Random(14), 500)) {
            KeyValue copy = storedCopy(key);
            assertEquals(0, ORDER.compare(key, copy), key.toString());
            assertEquals(Arrays.toString(KeyValueType.bytes(key)), Arrays.toString(KeyValueType.bytes(copy)));
        }
    }

    private static KeyValue storedCopy(KeyValue key) {
        WriteBuffer page = new WriteBuffer();
        KeyValueType.INSTANCE.write(page, key);
        return KeyValueType.INSTANCE.read(page.getBuffer().flip());
    }

    /** Keys of one and two fields over every kind of value an index key can hold, with many near-equal ones. */
    static List<KeyValue> sample(Random random, int size) {
        List<KeyValue> keys = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            keys.add(random.nextInt(3) == 0 ? new KeyValue(value(random), value(random)) : new KeyValue(value(random)));
        }
        return keys;
    }

    private static final ObjectId[] OBJECT_IDS = {new ObjectId(), new ObjectId(), new ObjectId()};

    private static Object value(Random random) {
        int n = random.nextInt(5) - 2;
        return switch (random.nextInt(22)) {
            case 0 -> null;
            case 1 -> Missing.getInstance();
            case 2 -> n;
            case 3 -> (long) n;
            case 4 -> n / 2.0;
            case 5 -> new Decimal128(BigDecimal.valueOf(n, 1));
            case 6 -> List.of("", "a", "ab", "b", "é", "日本", "\uD83D\uDE00").get(random.nextInt(7));
            case 7 -> "s|" + random.nextInt(4);
            case 8 -> OBJECT_IDS[random.nextInt(OBJECT_IDS.length)];
            case 9 -> random.nextBoolean();
            case 10 -> Instant.ofEpochMilli(1_764_000_000_000L + random.nextInt(3));
            case 11 -> new BinData(new byte[] {(byte) random.nextInt(3), (byte) (random.nextInt(2) * 255)});
            case 12 -> new UUID(random.nextInt(2), random.nextInt(2));
            case 13 -> new Document("a", n);
            case 14 -> new Document("a", n).append("b", List.of());
            case 15 -> List.of();
            case 16 -> List.of(n);
            case 17 -> List.of(n, List.of());
            case 18 -> new BsonTimestamp(random.nextInt(3));
            case 19 -> MinKey.getInstance();
            case 20 -> MaxKey.getInstance();
            default -> Double.NaN;
        };
    }
}
