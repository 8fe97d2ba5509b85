package org.iomtpq.gateway.testsupport;

import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Supplier;

import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.Limits;
import org.iomtpq.gateway.protocol.ProtocolException;

/**
 * The oracle every fuzz target shares (README "Fuzzing"): a call may return, or refuse with a {@link ProtocolException}
 * whose code the target allows; any other throwable (NullPointerException, NumberFormatException,
 * ArrayIndexOutOfBoundsException, StackOverflowError, OutOfMemoryError, an IllegalArgumentException that no one mapped,
 * ...) is not caught here and reaches Jazzer as a finding. A refusal's message must be what the protocol allows to go
 * to a peer: short printable ASCII, no stack trace, no exception class names.
 *
 * <p>Allocations are measured per call with the JVM's per-thread allocation counter (HotSpot's
 * {@code ThreadMXBean.getCurrentThreadAllocatedBytes}): every byte the call allocates on this thread, whatever becomes
 * of it. A call on input within {@link Limits#MAX_MESSAGE_BYTES} may allocate at most {@link #WITHIN_BOUND}, a fixed
 * multiple of the bound whatever the input says (no input-driven blow-up: huge exponents, deep nesting, long
 * escapes); a refusal of input over the bound at most {@link #OVERSIZE_BOUND}, far less than the input itself (it was
 * refused before being decoded or copied). A call during which a class was loaded is not measured (class loading and
 * Jazzer's instrumentation allocate on the calling thread); regression runs each input once, so there the first input
 * of each path goes unmeasured, while fuzzing measures every later run of it.
 */
public final class FuzzOracle {

    /** Per call, input within 64 KiB: 48 times the bound (3 MiB). The worst seen while calibrating was ~1.2 MiB. */
    public static final long WITHIN_BOUND = 48L * Limits.MAX_MESSAGE_BYTES;
    /**
     * Per call, input over 64 KiB: 32 KiB, half the bound, so less than one copy or decoding of the input. (16 KiB was
     * too tight: the MQTT ingress refusing an oversize body under an odd topic allocates ~21 KiB of exchange bookkeeping,
     * regex matching and exception stack trace, found by fuzzing; no copy of the body.)
     */
    public static final long OVERSIZE_BOUND = 32 * 1024;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final ClassLoadingMXBean CLASSES = ManagementFactory.getClassLoadingMXBean();

    /** What a call did: its value, or the refusal it answered with; and what it allocated. */
    public record Outcome<T>(T value, ProtocolException refusal, long allocatedBytes) {
        public boolean accepted() {
            return refusal == null;
        }

        public ErrorCode code() {
            return refusal == null ? null : refusal.code();
        }
    }

    private FuzzOracle() {
    }

    public static Set<ErrorCode> codes(ErrorCode first, ErrorCode... rest) {
        return EnumSet.of(first, rest);
    }

    /** Runs {@code call} on input of {@code inputBytes} bytes, checking the refusal and the allocation bound. */
    public static <T> Outcome<T> call(String what, int inputBytes, Set<ErrorCode> allowed, Supplier<T> call) {
        long classesBefore = CLASSES.getTotalLoadedClassCount();
        long before = THREADS.getCurrentThreadAllocatedBytes();
        T value = null;
        ProtocolException refusal = null;
        try {
            value = call.get();
        } catch (ProtocolException e) {
            refusal = e;
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        // Loading (and Jazzer instrumenting) a class allocates on the loading thread: such a call is not measured; the
        // same path is, the next time it runs with its classes loaded.
        boolean measured = CLASSES.getTotalLoadedClassCount() == classesBefore;
        long bound = inputBytes > Limits.MAX_MESSAGE_BYTES ? OVERSIZE_BOUND : WITHIN_BOUND;
        if (measured && allocated > bound) {
            throw new AssertionError(what + " allocated " + allocated + " bytes on " + inputBytes + " bytes of input"
                    + " (bound " + bound + ")");
        }
        if (refusal != null) {
            check(what, refusal, allowed);
        }
        return new Outcome<>(value, refusal, allocated);
    }

    /** A refusal the protocol allows here, with a message fit for a peer. */
    public static void check(String what, ProtocolException e, Set<ErrorCode> allowed) {
        if (!allowed.contains(e.code())) {
            throw new AssertionError(what + ": refused with " + e.code() + ", allowed " + allowed, e);
        }
        requirePeerSafe(what, e.getMessage());
    }

    /** An error message as it goes to a device: 1..300 printable ASCII characters, no stack trace, no class names. */
    public static void requirePeerSafe(String what, String message) {
        if (message == null || message.isEmpty() || message.length() > 300) {
            throw new AssertionError(what + ": error message missing or too long: " + abbreviate(message));
        }
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new AssertionError(what + ": error message has a non-printable or non-ASCII character at " + i
                        + ": " + abbreviate(message));
            }
        }
        // a field name the sender used is echoed when it is letters only ('sessionExceptionId'): that is its own text
        String ours = message.replaceAll("'[A-Za-z]{1,32}'", "''");
        for (String leak : new String[] {"Exception", "Error:", "\tat ", "java.", "org.iomtpq", "com.fasterxml",
            "org.bouncycastle"}) {
            if (ours.contains(leak)) {
                throw new AssertionError(what + ": error message names internals (" + leak + "): " + message);
            }
        }
    }

    /** {@code input} followed by JSON whitespace up to {@code Limits.MAX_MESSAGE_BYTES + 1 + extra} bytes. */
    public static byte[] paddedBeyondBound(byte[] input, int extra) {
        int size = Math.max(input.length, Limits.MAX_MESSAGE_BYTES) + 1 + Math.max(0, extra);
        byte[] padded = Arrays.copyOf(input, size);
        Arrays.fill(padded, input.length, size, (byte) ' ');
        return padded;
    }

    private static String abbreviate(String s) {
        return s == null ? "null" : s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }
}
