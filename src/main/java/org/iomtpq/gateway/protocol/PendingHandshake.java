package org.iomtpq.gateway.protocol;

import java.util.Objects;

/**
 * What the gateway keeps between server-hello and finished (at most {@link Limits#PENDING_HANDSHAKE_TTL}):
 * no raw shared secret, only TH and the derived keys. Byte arrays are copied in and out.
 */
public record PendingHandshake(byte[] sessionId, byte[] transcriptHash, SessionKeys keys, String expiresAt,
                               long maxMessages, ServerHelloMessage serverHello) {
    public PendingHandshake {
        sessionId = Bytes.copy(sessionId, "sessionId");
        transcriptHash = Bytes.copy(transcriptHash, "transcriptHash");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(serverHello, "serverHello");
    }

    @Override public byte[] sessionId() { return sessionId.clone(); }
    @Override public byte[] transcriptHash() { return transcriptHash.clone(); }

    @Override
    public String toString() {
        return "PendingHandshake[deviceId=" + serverHello.deviceId() + ", expiresAt=" + expiresAt + ", keys=redacted]";
    }
}
