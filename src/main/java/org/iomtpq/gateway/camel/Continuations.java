package org.iomtpq.gateway.camel;

import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;

/** How an asynchronous step resumes its exchange: whatever the step still does, the exchange always goes on. */
final class Continuations {

    private Continuations() {
    }

    /** Runs {@code rest}; a failure becomes the exchange's exception; the exchange continues in any case. */
    static void resume(Exchange exchange, AsyncCallback callback, Runnable rest) {
        try {
            rest.run();
        } catch (RuntimeException e) {
            exchange.setException(e);
        } finally {
            callback.done(false);
        }
    }
}
