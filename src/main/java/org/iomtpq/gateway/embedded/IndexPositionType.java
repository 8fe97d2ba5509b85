package org.iomtpq.gateway.embedded;

import java.nio.ByteBuffer;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * H2 value type for what a unique index maps a key to: the document's position in its collection (its {@code _id}
 * value, or {@code Missing}). One tagged BSON value, instead of H2's default, which Java-serializes anything that is
 * not a String or a number (an ObjectId {@code _id}, for example). Never compared.
 */
final class IndexPositionType extends BasicDataType<Object> {

    static final IndexPositionType INSTANCE = new IndexPositionType();

    private IndexPositionType() {
    }

    @Override
    public int getMemory(Object position) {
        return HeapEstimate.of(position);
    }

    @Override
    public void write(WriteBuffer buffer, Object position) {
        BsonBytes.write(buffer, target -> BsonBytes.writeValue(target, position));
    }

    @Override
    public Object read(ByteBuffer buffer) {
        return BsonBytes.read(buffer, BsonBytes::readValue);
    }

    @Override
    public Object[] createStorage(int size) {
        return new Object[size];
    }
}
