package org.iomtpq.gateway.store;

import java.time.Instant;

import org.iomtpq.gateway.protocol.SessionState;

/**
 * A session in {@code sessions}. Keys are stored only wrapped under the master key ({@code *Wrapped}); raw shared
 * secrets never are. {@code finishedKeyWrapped}/{@code transcriptHash} exist only while the handshake is pending.
 * {@code endedReason} is REVOKED or ROTATED once the session was ended early. {@code keyCommitment} names the device
 * keys the handshake used, so a session of rotated-away keys can be told apart from one of the keys in force.
 * {@code revision} counts the changes made to the stored session; a conditional change names the revision it saw.
 */
public record SessionRecord(String sessionId, String deviceId, String keyCommitment, String gatewayId, SessionState state,
                            Instant createdAt,
                            Instant handshakeDeadline, String expiresAt, Instant expiresAtInstant, long maxMessages,
                            byte[] transcriptHash, byte[] finishedKeyWrapped, byte[] deviceToGatewayKeyWrapped,
                            byte[] gatewayToDeviceKeyWrapped, String endedReason, long revision) {

    public static final String ENDED_BY_REVOCATION = "REVOKED";
    public static final String ENDED_BY_ROTATION = "ROTATED";
}
