package org.iomtpq.gateway.camel;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import org.iomtpq.gateway.service.SubmissionWaits;

/**
 * The enroll and rotate routes' last step: an answer whose operation went to the outbox waits for the relay round
 * that signs it and then names its transaction ({@link SubmissionWaits}); any other answer passes at once.
 * Asynchronous, like {@link ObservationStore}: the wait holds no HTTP or MQTT consumer thread, so telemetry never
 * queues behind enrollments; the continuation runs on {@code continuations}, never on the relay's thread.
 */
public final class TxHashAnswer extends AsyncProcessorSupport {

    /** Exchange property: what the answer waits for, set by {@link DeviceSteps}. */
    static final String AWAITED = "iomtAwaitedTxHash";

    /** The outbox entry whose transaction the answer names, and the answer's JSON with a given txHash. */
    record Awaited(String outboxEntryId, Function<String, String> answerWithTxHash) {
    }

    private final SubmissionWaits waits;
    private final Executor continuations;

    public TxHashAnswer(SubmissionWaits waits, Executor continuations) {
        this.waits = waits;
        this.continuations = continuations;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        Awaited awaited = exchange.getProperty(AWAITED, Awaited.class);
        if (awaited == null) {
            callback.done(true);
            return true;
        }
        exchange.removeProperty(AWAITED);
        CompletableFuture<String> signed = waits.txHashOf(awaited.outboxEntryId());
        if (signed.isDone() && signed.getNow(null) == null) {
            callback.done(true); // nothing to wait for (the relay is busy, or waits are off): the answer stands
            return true;
        }
        signed.whenCompleteAsync((txHash, failure) -> Continuations.resume(exchange, callback, () -> {
            if (txHash != null) {
                exchange.getMessage().setBody(awaited.answerWithTxHash().apply(txHash));
            }
        }), continuations);
        return false;
    }
}
