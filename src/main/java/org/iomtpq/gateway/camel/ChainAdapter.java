package org.iomtpq.gateway.camel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.camel.Exchange;
import org.iomtpq.gateway.chain.RegistryContract;
import org.iomtpq.gateway.service.ChainEvents;
import org.iomtpq.gateway.service.DeviceNotification;
import org.iomtpq.gateway.service.DeviceNotificationQueue;
import org.iomtpq.gateway.service.OutboxRelay;
import org.iomtpq.gateway.service.RelayLeadership;
import org.iomtpq.gateway.service.SubmissionWaits;
import org.iomtpq.gateway.store.ChainCursorRepository;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Thin adapters for the chain routes (registry.mode=chain): one outbox relay round per timer tick, as soon as an
 * answer rings for it or after the relay period, and one registry log from camel-web3j's log consumer. Both leave the device notifications they produced in the body for the route
 * to publish. Broadcasting is done by the relay itself, not through camel-web3j's ETH_SEND_RAW_TRANSACTION, because
 * the relay must read the node's answer ("already known", "nonce too low") before it moves on, in order.
 */
public final class ChainAdapter {

    private final OutboxRelay relay;
    private final SubmissionWaits waits;
    private final Duration relayPeriod;
    private final ChainEvents events;
    private final ChainCursorRepository cursor;
    private final RelayLeadership leadership;
    private final DeviceNotificationQueue elsewhere;

    public ChainAdapter(OutboxRelay relay, SubmissionWaits waits, Duration relayPeriod, ChainEvents events,
                        ChainCursorRepository cursor, RelayLeadership leadership, DeviceNotificationQueue elsewhere) {
        this.elsewhere = elsewhere;
        this.relay = relay;
        this.leadership = leadership;
        this.waits = waits;
        this.relayPeriod = relayPeriod;
        this.events = events;
        this.cursor = cursor;
    }

    /**
     * Waits (on the timer's own thread) for a ring or the relay period, then runs one round — or, where another
     * instance relays, looks for the hashes it stored; either way also what other steps left for the devices.
     */
    public void relayOutbox(Exchange exchange) throws InterruptedException {
        waits.awaitRing(relayPeriod);
        List<DeviceNotification> out = new ArrayList<>(leadership.leads() ? relay.tick() : relay.followOtherRelay());
        out.addAll(elsewhere.drain());
        exchange.getMessage().setBody(out);
    }

    /** One registry log; the block is remembered so a restarted gateway resumes after it instead of missing events. */
    public void onRegistryLog(Exchange exchange) {
        Log log = exchange.getMessage().getBody(Log.class);
        List<DeviceNotification> out = RegistryContract.decode(log).map(events::on).orElse(List.of());
        if (log != null && log.getBlockNumber() != null) {
            cursor.advanceTo(log.getBlockNumber().longValue());
        }
        exchange.getMessage().setBody(out);
    }
}
