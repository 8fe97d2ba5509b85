package org.iomtpq.gateway.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.iomtpq.gateway.audit.AuditEvent;
import org.iomtpq.gateway.fhir.FhirSink;
import org.iomtpq.gateway.fhir.StoredReading;
import org.iomtpq.gateway.fhir.VitalSignsMapping;
import org.bson.Document;
import org.iomtpq.gateway.store.DeviceRecord;
import org.iomtpq.gateway.store.DeviceRepository;
import org.iomtpq.gateway.store.FhirFeed;
import org.iomtpq.gateway.store.ObservationRepository;
import org.iomtpq.gateway.store.FhirFeed.Entry;
import org.iomtpq.gateway.store.FhirFeed.Writer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers stored observations to the FHIR server, at least once and never duplicated there: a timer route
 * ({@code routes/fhir-export.camel.yaml}) runs {@link #deliverRound}, which takes the {@link FhirFeed}'s entries in
 * order per writer, maps each observation ({@link VitalSignsMapping}) and sends every resource as a conditional create
 * by its identifier. An entry is marked delivered only after all its resources were accepted or rejected; a server
 * that is down stops the round, and the next ones wait with a doubling backoff: nothing is lost, the feed just grows
 * (ingestion never waits for FHIR). A resource the server rejects (an OperationOutcome) goes to dead letters with
 * the resource and its outcome, and the export goes on.
 * <p>
 * One instance exports at a time (a lease, like the outbox relay): two exporters racing on one conditional create
 * could both create on a server that does not serialise them.
 */
public final class FhirExport {

    private static final Logger LOG = LoggerFactory.getLogger(FhirExport.class);
    /** How many feed entries are read at once per writer. */
    static final int WINDOW = 32;
    /** A writer silent this long (no beat) is taken as dead once its entries are delivered. */
    static final Duration WRITER_DEAD_AFTER = Duration.ofMinutes(10);
    /** How long retention's question is answered from one look at the feed. */
    static final Duration OLDEST_KEPT = Duration.ofSeconds(10);
    /** How far behind the moment of that look an answer from it must be. */
    static final Duration CLOCK_MARGIN = Duration.ofMinutes(1);

    /** A stored observation as the export reads it (from the observations collection, by id). */
    public interface Observations {
        /** The readings still stored under these ids (purged or unknown ones are absent). */
        List<StoredReading> readings(List<String> observationIds);
    }

    /** Where a rejected resource is kept: dead letters, with what the server said. */
    public interface Rejections {
        void store(String resourceType, String identifier, String resourceJson, FhirSink.Rejected rejection);
    }

    /** Settings: how much per round, how long to back off. */
    public record Limits(int entriesPerRound, Duration firstBackoff, Duration maxBackoff) {
    }

    private final FhirFeed feed;
    private final Observations observations;
    private final VitalSignsMapping mapping;
    private final FhirSink sink;
    private final Rejections rejections;
    private final BooleanSupplier leads;
    private final AuditTrail audit;
    private final ExecutorService senders;
    private final Limits limits;
    private final Clock clock;
    private final Function<Resource, String> json;
    /** Device references by deviceId, once the server has the Device. */
    private final Map<String, Reference> devices = new ConcurrentHashMap<>();
    private Instant retryAt = Instant.MIN;
    private Duration backoff;
    private boolean failing;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile long backlogEntries;
    private volatile OldestUndelivered oldest;

    public FhirExport(FhirFeed feed, Observations observations, VitalSignsMapping mapping, FhirSink sink,
                      Rejections rejections, BooleanSupplier leads, AuditTrail audit, ExecutorService senders,
                      Limits limits, Clock clock, Function<Resource, String> json) {
        this.feed = feed;
        this.observations = observations;
        this.mapping = mapping;
        this.sink = sink;
        this.rejections = rejections;
        this.leads = leads;
        this.audit = audit;
        this.senders = senders;
        this.limits = limits;
        this.clock = clock;
        this.json = json;
        this.backoff = limits.firstBackoff();
    }

    /** The stored observations by id, with their device's type (which never changes, so it is kept once read). */
    public static Observations storedReadings(DeviceRepository devices, ObservationRepository observations) {
        Map<String, String> types = new ConcurrentHashMap<>();
        return ids -> {
            List<StoredReading> out = new ArrayList<>(ids.size());
            for (Document d : observations.byIds(ids)) {
                String deviceId = d.getString("deviceId");
                String type = types.computeIfAbsent(deviceId,
                        id -> devices.find(id).map(DeviceRecord::deviceType).orElse("unknown"));
                Document quality = d.get("quality", Document.class);
                out.add(new StoredReading(deviceId, type, d.getString("sessionId"), ((Number) d.get("seq")).longValue(),
                        d.getString("observedAt"), d.getString("receivedAt"), ObservationRepository.vitalsOf(d),
                        quality == null ? java.util.Set.of() : quality.keySet()));
            }
            return out;
        };
    }

    /** One round; returns how many feed entries it delivered. Called by the timer route, one round at a time. */
    public synchronized int deliverRound() {
        Instant now = clock.instant();
        if (now.isBefore(retryAt) || !leads.getAsBoolean()) {
            return 0;
        }
        int done = 0;
        long backlog = 0;
        try {
            for (Writer writer : feed.writers()) {
                int budget = limits.entriesPerRound() - done;
                done += budget > 0 ? deliverWriter(writer, budget, now) : 0;
                backlog += Math.max(0, writer.top() - writer.delivered());
            }
            backlogEntries = Math.max(0, backlog - done);
            if (failing) {
                LOG.info("FHIR export: the server takes resources again; delivering the backlog");
                failing = false;
            }
            backoff = limits.firstBackoff();
        } catch (FhirSink.Unavailable | RuntimeException e) {
            retryAt = now.plus(backoff);
            if (!failing) {
                LOG.warn("FHIR export: {}; nothing is lost, retrying with backoff up to {} s", e.getMessage(),
                        limits.maxBackoff().toSeconds());
                failing = true;
            }
            backoff = backoff.multipliedBy(2).compareTo(limits.maxBackoff()) > 0 ? limits.maxBackoff() : backoff.multipliedBy(2);
        }
        return done;
    }

    /** A writer's next entries, in order, up to {@code budget}. */
    private int deliverWriter(Writer writer, int budget, Instant now) throws FhirSink.Unavailable {
        long position = writer.delivered();
        int done = 0;
        while (done < budget) {
            List<Entry> entries = feed.entriesAfter(writer.id(), position, Math.min(WINDOW, budget - done));
            if (entries.isEmpty()) {
                long skipTo = Math.min(writer.top(), position + WINDOW); // below the recorded top: gaps, never filled
                if (skipTo > position) {
                    feed.delivered(writer.id(), skipTo, List.of());
                    position = skipTo;
                    continue;
                }
                if (writer.stopped() || writer.alive().isBefore(now.minus(WRITER_DEAD_AFTER))) {
                    feed.forget(writer.id());
                }
                return done;
            }
            for (Entry entry : entries) {
                deliver(entry);
                feed.delivered(writer.id(), entry.n(), List.of(entry));
                position = entry.n();
                done++;
            }
        }
        return done;
    }

    /**
     * Every resource of one entry; returns only when all were accepted or rejected. The Devices first, one at a time
     * (two concurrent conditional creates of one Device could both create on a server that does not serialise them),
     * then the Observations concurrently.
     */
    private void deliver(Entry entry) throws FhirSink.Unavailable {
        List<StoredReading> readings = observations.readings(entry.observationIds());
        for (StoredReading reading : readings) {
            device(reading);
        }
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (StoredReading reading : readings) {
            sends.add(CompletableFuture.runAsync(() -> send(reading), senders));
        }
        try {
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UnavailableNow u) {
                throw u.cause;
            }
            throw e;
        }
        delivered.addAndGet(sends.size());
    }

    private void send(StoredReading reading) {
        Reference device = devices.get(reading.deviceId());
        for (Observation o : mapping.observations(reading, device)) {
            try {
                sink.ensureObservation(o);
            } catch (FhirSink.Rejected r) {
                reject(o, r, reading.deviceId());
            } catch (FhirSink.Unavailable u) {
                throw new UnavailableNow(u);
            }
        }
    }

    /** The Device once per device and process; a rejected Device leaves a logical reference by its identifier. */
    private void device(StoredReading reading) throws FhirSink.Unavailable {
        if (devices.containsKey(reading.deviceId())) {
            return;
        }
        var device = VitalSignsMapping.device(reading.deviceId(), reading.deviceType());
        Reference reference;
        try {
            reference = sink.ensureDevice(device);
        } catch (FhirSink.Rejected r) {
            reject(device, r, reading.deviceId());
            reference = new Reference().setType("Device").setIdentifier(device.getIdentifierFirstRep().copy());
        }
        devices.put(reading.deviceId(), reference);
    }

    private void reject(Resource resource, FhirSink.Rejected r, String deviceId) {
        String identifier = identifierOf(resource);
        rejections.store(resource.fhirType(), identifier, json.apply(resource), r);
        rejected.incrementAndGet();
        LOG.warn("FHIR export: the server refused {} {} (HTTP {}); kept in dead letters", resource.fhirType(), identifier,
                r.status());
        audit.record(AuditEvent.rejected("FHIR_REJECTED", deviceId, resource.fhirType() + " " + identifier
                + " refused by the FHIR server (HTTP " + r.status() + "), kept in dead letters"));
    }

    private static String identifierOf(Resource resource) {
        if (resource instanceof Observation o) {
            return o.getIdentifierFirstRep().getValue();
        }
        if (resource instanceof org.hl7.fhir.r4.model.Device d) {
            return d.getIdentifierFirstRep().getValue();
        }
        return resource.getIdElement().getIdPart();
    }

    /**
     * Whether every observation stored before {@code instant} has been delivered (or rejected): no writer's oldest
     * entry still in the feed is older. Retention asks before it purges observations, once per observation range, so
     * the answer is worked out at most every {@link #OLDEST_KEPT} and reused for instants well before that moment
     * (delivery only ever makes it truer; entries noted since carry later times, {@link #CLOCK_MARGIN} for writers'
     * clocks and a note's delay).
     */
    public boolean deliveredBefore(Instant instant) {
        Instant now = clock.instant();
        OldestUndelivered seen = oldest;
        if (seen == null || !now.isBefore(seen.checkedAt().plus(OLDEST_KEPT))
                || instant.isAfter(seen.checkedAt().minus(CLOCK_MARGIN))) {
            seen = new OldestUndelivered(now, oldestUndelivered());
            oldest = seen;
        }
        return seen.at() == null || !seen.at().isBefore(instant);
    }

    /** When the oldest entry still in the feed was noted, over all writers; null when everything was delivered. */
    private Instant oldestUndelivered() {
        Instant out = null;
        for (Writer writer : feed.writers()) {
            Optional<Entry> first = feed.entriesAfter(writer.id(), writer.delivered(), 1).stream().findFirst();
            if (first.isPresent() && (out == null || first.get().at().isBefore(out))) {
                out = first.get().at();
            }
        }
        return out;
    }

    /** {@code at}: null when nothing was waiting at {@code checkedAt}. */
    private record OldestUndelivered(Instant checkedAt, Instant at) {
    }

    /** Readings delivered, resources rejected, feed entries waiting (as of the last round): for metrics. */
    public long[] counts() {
        return new long[] {delivered.get(), rejected.get(), backlogEntries};
    }

    /** Carries an Unavailable out of a sender thread. */
    private static final class UnavailableNow extends RuntimeException {
        final FhirSink.Unavailable cause;

        UnavailableNow(FhirSink.Unavailable cause) {
            super(cause.getMessage(), cause, false, false);
            this.cause = cause;
        }
    }
}
