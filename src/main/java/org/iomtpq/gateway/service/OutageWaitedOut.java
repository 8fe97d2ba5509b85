package org.iomtpq.gateway.service;

/**
 * The observation writer waited out a storage outage for an observation as long as {@link OutageWaits} allows, and
 * the store is still unreachable: the device is to be told UNAVAILABLE now, without further retries (they were made,
 * in order). The cause is the store's last failure.
 */
public final class OutageWaitedOut extends RuntimeException {

    public OutageWaitedOut(int retries, RuntimeException lastFailure) {
        super("the store stayed unreachable through " + retries + " retries: " + lastFailure.getMessage(), lastFailure);
    }
}
