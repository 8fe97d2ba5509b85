package org.iomtpq.gateway.camel;

import java.util.concurrent.Executor;

import com.mongodb.MongoException;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import org.iomtpq.gateway.service.ObservationWriter;
import org.iomtpq.gateway.service.RequestContext;
import org.iomtpq.gateway.service.TelemetryService;
import org.iomtpq.gateway.store.ObservationRecord;

/**
 * The telemetry route's write step: hands the exchange's observation to the group-committing
 * {@link ObservationWriter} and continues the exchange only once it is stored (or known not to be). Asynchronous,
 * so waiting for a batch holds no consumer thread; the continuation runs on {@code continuations}, never on the
 * writer's own thread, which must stay free for the next batch.
 */
public final class ObservationStore extends AsyncProcessorSupport {

    private final ObservationWriter writer;
    private final TelemetryService telemetry;
    private final Executor continuations;

    public ObservationStore(ObservationWriter writer, TelemetryService telemetry, Executor continuations) {
        this.writer = writer;
        this.telemetry = telemetry;
        this.continuations = continuations;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        ObservationRecord observation = exchange.getProperty(ExchangeKeys.OBSERVATION, ObservationRecord.class);
        RequestContext ctx = exchange.getProperty(ExchangeKeys.REQUEST, RequestContext.class);
        writer.submit(observation, ctx != null && ctx.unacknowledgedUntilAnswered()).whenCompleteAsync((outcome, failure) -> Continuations.resume(exchange, callback, () -> {
            if (failure != null) {
                exchange.setException(failure);
                return;
            }
            switch (outcome) {
                case STORED -> telemetry.stored(observation);
                case DUPLICATE -> {
                    if (telemetry.storedAlready(observation, ctx)) {
                        exchange.setProperty(ExchangeKeys.DUPLICATE, true);
                    }
                }
                case TOO_OLD -> {
                    if (telemetry.tooOld(observation, ctx)) {
                        exchange.setProperty(ExchangeKeys.DUPLICATE, true);
                    }
                }
                case FAILED -> exchange.setException(new MongoException(
                        "the store refused the observation; nothing was stored"));
            }
        }), continuations);
        return false;
    }
}
