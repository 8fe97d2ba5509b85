package org.iomtpq.gateway.embedded;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * An H2 data type whose entries are stored in {@link BsonBytes}' encoding; subclasses say how one entry is encoded
 * and decoded. H2's page buffers and the BSON code's netty buffers meet only here.
 */
abstract class BsonStoredType<T> extends BasicDataType<T> {

    abstract void encode(T value, ByteBuf target);

    abstract T decode(ByteBuf source);

    /** H2 sizes its page cache and splits pages by this: an estimate of the heap the decoded entry takes. */
    @Override
    public final int getMemory(T value) {
        return HeapEstimate.of(value);
    }

    @Override
    public void write(WriteBuffer buffer, T value) {
        BsonBytes.write(buffer, target -> encode(value, target));
    }

    @Override
    public T read(ByteBuffer buffer) {
        return BsonBytes.read(buffer, this::decode);
    }
}
