package org.iomtpq.gateway.embedded;

import de.bwaldvogel.mongo.backend.KeyValue;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * H2 key type for unique indexes. {@link KeyValue} is not Comparable, so H2's default type Java-serializes both keys
 * at every comparison of a tree search (log N of them per insert and lookup: the cost grew with the collection).
 * Here keys compare by {@link IndexKeyOrder} on the objects and are stored as an element count followed by each
 * element as {@link BsonBytes#writeValue} writes it.
 */
final class KeyValueType extends BasicDataType<KeyValue> {

    static final KeyValueType INSTANCE = new KeyValueType();

    private KeyValueType() {
    }

    @Override
    public int compare(KeyValue a, KeyValue b) {
        return IndexKeyOrder.INSTANCE.compare(a, b);
    }

    @Override
    public int getMemory(KeyValue key) {
        int size = 32;
        for (Object element : key) {
            size += HeapEstimate.of(element);
        }
        return size;
    }

    @Override
    public void write(WriteBuffer buffer, KeyValue key) {
        BsonBytes.write(buffer, target -> encode(key, target));
    }

    @Override
    public KeyValue read(ByteBuffer buffer) {
        return BsonBytes.read(buffer, KeyValueType::decode);
    }

    @Override
    public KeyValue[] createStorage(int size) {
        return new KeyValue[size];
    }

    /** The key's bytes as stored: two keys are the same key exactly when these are equal. */
    static byte[] bytes(KeyValue key) {
        return BsonBytes.bytes(target -> encode(key, target));
    }

    /** The element count (little-endian int32, as BSON writes its ints), then the elements. */
    private static void encode(KeyValue key, ByteBuf target) {
        target.writeIntLE(key.size());
        for (Object element : key) {
            BsonBytes.writeValue(target, element);
        }
    }

    private static KeyValue decode(ByteBuf source) {
        int count = source.readIntLE();
        List<Object> elements = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            elements.add(BsonBytes.readValue(source));
        }
        return new KeyValue(elements);
    }
}
