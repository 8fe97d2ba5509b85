package org.iomtpq.gateway.protocol;

/**
 * The §6 replay rule, given what the store knows: a seq already stored is a replay, and so is one at or
 * below {@code highestStored - 64} (too old to tell apart from a replay once the window has moved on).
 * Only stored messages count; the unique (sessionId, seq) index in the store is the final arbiter
 * across gateway instances.
 */
public final class ReplayWindow {
    private ReplayWindow() {
    }

    /** @param highestStored the highest stored seq of the session, 0 if none */
    public static void check(long seq, long highestStored, boolean alreadyStored) {
        if (alreadyStored) {
            throw new ProtocolException(ErrorCode.REPLAY, "seq was already received in this session").withSeq(seq);
        }
        if (seq <= highestStored - Limits.REPLAY_WINDOW) {
            throw new ProtocolException(ErrorCode.REPLAY,
                    "seq is older than the replay window of " + Limits.REPLAY_WINDOW + " messages").withSeq(seq);
        }
    }
}
