package org.iomtpq.gateway.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import javax.security.auth.Destroyable;

/**
 * A secret byte string (key, shared secret, seed) that is hard to leak by accident.
 *
 * <p>The bytes never appear in {@link #toString()}, there is no content-based {@code equals}/{@code hashCode}
 * (so secrets cannot end up as map keys or in log lines through collections), and the only way out is
 * {@link #revealCopy()}, whose name makes every use visible in review. Callers should zero the revealed
 * copy ({@code Arrays.fill(copy, (byte) 0)}) once done with it.
 *
 * <p>{@link #destroy()} zeroes the internal copy; the JVM may still hold earlier copies (GC moves objects),
 * so this is defence in depth, not a guarantee.
 */
public final class SecretBytes implements Destroyable {

    private final byte[] bytes;
    private volatile boolean destroyed;

    private SecretBytes(byte[] ownedBytes) {
        this.bytes = ownedBytes;
    }

    /** Copies {@code secret}; the caller stays responsible for zeroing its own array. */
    public static SecretBytes copyOf(byte[] secret) {
        Objects.requireNonNull(secret, "secret");
        return new SecretBytes(secret.clone());
    }

    /** Fresh random secret of {@code length} bytes. */
    public static SecretBytes random(int length, SecureRandom random) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0");
        }
        byte[] b = new byte[length];
        random.nextBytes(b);
        return new SecretBytes(b);
    }

    /** Takes ownership of {@code ownedBytes} without copying: only for arrays nobody else references. */
    static SecretBytes takeOwnership(byte[] ownedBytes) {
        return new SecretBytes(Objects.requireNonNull(ownedBytes));
    }

    public int length() {
        return bytes.length;
    }

    /** The one way out: a fresh copy the caller owns (and should zero after use). */
    public byte[] revealCopy() {
        checkNotDestroyed();
        return bytes.clone();
    }

    /** Compares contents without an early exit; lengths are not secret. */
    public boolean equalsConstantTime(SecretBytes other) {
        Objects.requireNonNull(other, "other");
        checkNotDestroyed();
        other.checkNotDestroyed();
        return ConstantTime.equals(bytes, other.bytes);
    }

    @Override
    public void destroy() {
        Arrays.fill(bytes, (byte) 0);
        destroyed = true;
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return "SecretBytes[" + bytes.length + " bytes" + (destroyed ? ", destroyed]" : "]");
    }

    private void checkNotDestroyed() {
        if (destroyed) {
            throw new IllegalStateException("secret has been destroyed");
        }
    }
}
