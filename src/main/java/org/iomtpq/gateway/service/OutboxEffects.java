package org.iomtpq.gateway.service;

import java.util.List;
import java.util.Optional;

import org.iomtpq.gateway.store.OutboxEntry;

/**
 * What the relay asks about, and reports on, one device operation or audit anchor (never a batch: the relay hands a
 * batch's registrations over one by one). {@link ChainEffects} is the real one; the relay's unit tests script it.
 */
public interface OutboxEffects {

    /** Local state moved on before the operation was sent: why it need not go out any more. */
    Optional<String> reasonToSkip(OutboxEntry e);

    /** The chain already says what the operation would make it say. */
    boolean alreadyOnChain(OutboxEntry e);

    /** The operation was signed into {@code txHash} (a batch's hash for a registration in a batch). */
    void submitted(OutboxEntry e, String txHash);

    /** The operation is on chain ({@code txHash} null when another party put it there). */
    List<DeviceNotification> confirmed(OutboxEntry e, String txHash);

    /** The operation's own transaction reverted (never called for a registration whose batch reverted). */
    List<DeviceNotification> reverted(OutboxEntry e, String reason);

    /** The operation was dropped before it was sent. */
    List<DeviceNotification> cancelled(OutboxEntry e);
}
