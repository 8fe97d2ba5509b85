package org.iomtpq.gateway.embedded;

import de.bwaldvogel.mongo.backend.KeyValue;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * H2 key type for unique indexes. {@link KeyValue} is not Comparable, so H2's default type Java-serializes both keys
 * at every comparison of a tree search (log N of them per insert and lookup: the cost grew with the collection).
 * Here keys compare by {@link IndexKeyOrder} on the objects and are stored as an element count followed by each
 * element as {@link BsonBytes#writeValue} writes it.
 */
final class KeyValueType extends BsonStoredType<KeyValue> {

    static final KeyValueType INSTANCE = new KeyValueType();

    private KeyValueType() {
    }

    @Override
    public int compare(KeyValue a, KeyValue b) {
        return IndexKeyOrder.INSTANCE.compare(a, b);
    }

    @Override
    public KeyValue[] createStorage(int size) {
        return new KeyValue[size];
    }

    /** The key's bytes as stored. */
    static byte[] bytes(KeyValue key) {
        return BsonBytes.bytes(target -> INSTANCE.encode(key, target));
    }

    /** The element count (little-endian int32, as BSON writes its ints), then the elements. */
    @Override
    void encode(KeyValue key, ByteBuf target) {
        target.writeIntLE(key.size());
        for (Object element : key) {
            BsonBytes.writeValue(target, element);
        }
    }

    @Override
    KeyValue decode(ByteBuf source) {
        int count = source.readIntLE();
        List<Object> elements = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            elements.add(BsonBytes.readValue(source));
        }
        return new KeyValue(elements);
    }
}
