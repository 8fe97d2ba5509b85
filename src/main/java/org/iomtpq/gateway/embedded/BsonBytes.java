package org.iomtpq.gateway.embedded;

import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.h2.mvstore.WriteBuffer;

/**
 * The BSON encoding the embedded server already speaks on the wire (its own {@link BsonEncoder} / {@link BsonDecoder}),
 * used to store documents and index entries in H2 pages instead of Java serialization: whatever a client can send
 * round-trips, because it is the same code that decoded it. BSON is self-delimiting (a document starts with its
 * length, every value's size follows from its type), so values are stored back to back without lengths of their own.
 *
 * <p>A single value is stored as one type byte followed by the value's BSON body ({@code determineType} +
 * {@code encodeValue}). BSON has no "missing" type: the otherwise unused type byte 0 stands for {@link Missing} (a
 * sparse or absent index field).
 */
final class BsonBytes {

    private static final byte MISSING_TYPE = 0;

    /** Encoding happens for every entry of every page saved; one reused buffer per thread instead of a new one each time. */
    private static final ThreadLocal<ByteBuf> SCRATCH = ThreadLocal.withInitial(BsonBytes::newScratch);
    /** A buffer that grew past this for one huge document is dropped rather than kept for the thread's lifetime. */
    private static final int SCRATCH_KEPT_CAPACITY = 64 * 1024;

    private BsonBytes() {
    }

    /** Appends what {@code encoder} writes to an H2 page buffer. */
    static void write(WriteBuffer target, Consumer<ByteBuf> encoder) {
        ByteBuf scratch = scratch();
        encoder.accept(scratch);
        target.put(scratch.array(), scratch.arrayOffset() + scratch.readerIndex(), scratch.readableBytes());
    }

    /** What {@code encoder} writes, as an array of its own, encoded in the thread's reused buffer. */
    static byte[] encoded(Consumer<ByteBuf> encoder) {
        ByteBuf scratch = scratch();
        encoder.accept(scratch);
        return ByteBufUtil.getBytes(scratch);
    }

    /** Decodes one entry at the page buffer's position and moves the position past exactly the bytes it read. */
    static <T> T read(ByteBuffer source, Function<ByteBuf, T> decoder) {
        ByteBuf view = Unpooled.wrappedBuffer(source.slice()); // BSON reads little-endian itself; H2's order is kept
        T value = decoder.apply(view);
        source.position(source.position() + view.readerIndex());
        return value;
    }

    static void writeValue(ByteBuf target, Object value) {
        if (value instanceof Missing) {
            target.writeByte(MISSING_TYPE);
            return;
        }
        byte type = BsonEncoder.determineType(value);
        target.writeByte(type);
        BsonEncoder.encodeValue(type, value, target);
    }

    static Object readValue(ByteBuf source) {
        byte type = source.readByte();
        return type == MISSING_TYPE ? Missing.getInstance() : BsonDecoder.decodeValue(type, source);
    }

    /** What {@code encoder} writes, as an array of its own: for comparisons that fall back to the stored bytes. */
    static byte[] bytes(Consumer<ByteBuf> encoder) {
        ByteBuf buffer = Unpooled.buffer(64);
        encoder.accept(buffer);
        return ByteBufUtil.getBytes(buffer);
    }

    private static ByteBuf scratch() {
        ByteBuf scratch = SCRATCH.get();
        if (scratch.capacity() > SCRATCH_KEPT_CAPACITY) {
            scratch = newScratch();
            SCRATCH.set(scratch);
        }
        return scratch.clear();
    }

    private static ByteBuf newScratch() {
        return Unpooled.buffer(1024);
    }
}
