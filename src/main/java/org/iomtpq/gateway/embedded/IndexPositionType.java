package org.iomtpq.gateway.embedded;

import io.netty.buffer.ByteBuf;

/**
 * H2 value type for what a unique index maps a key to: the document's position in its collection (its {@code _id}
 * value, or {@code Missing}). One tagged BSON value, instead of H2's default, which Java-serializes anything that is
 * not a String or a number (an ObjectId {@code _id}, for example). Never compared.
 */
final class IndexPositionType extends BsonStoredType<Object> {

    static final IndexPositionType INSTANCE = new IndexPositionType();

    private IndexPositionType() {
    }

    @Override
    void encode(Object position, ByteBuf target) {
        BsonBytes.writeValue(target, position);
    }

    @Override
    Object decode(ByteBuf source) {
        return BsonBytes.readValue(source);
    }

    @Override
    public Object[] createStorage(int size) {
        return new Object[size];
    }
}
