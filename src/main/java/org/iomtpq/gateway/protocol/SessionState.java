package org.iomtpq.gateway.protocol;

/** Gateway-side session states (PROTOCOL.md §5). A pending handshake is stored as ENCAPSULATED. */
public enum SessionState {
    INITIALIZED, PUBLIC_KEY_RECEIVED, ENCAPSULATED, AUTHENTICATED, FAILED
}
