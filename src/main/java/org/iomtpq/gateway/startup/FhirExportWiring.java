package org.iomtpq.gateway.startup;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import ca.uhn.fhir.context.FhirContext;
import com.mongodb.client.MongoDatabase;
import org.bson.Document;
import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.config.StartupException;
import org.iomtpq.gateway.fhir.FhirSink;
import org.iomtpq.gateway.fhir.HapiFhirSink;
import org.iomtpq.gateway.fhir.VitalSignsMapping;
import org.iomtpq.gateway.service.AuditTrail;
import org.iomtpq.gateway.service.FhirExport;
import org.iomtpq.gateway.service.RelayLeadership;
import org.iomtpq.gateway.store.Collections;
import org.iomtpq.gateway.store.DeadLetters;
import org.iomtpq.gateway.store.DeviceRepository;
import org.iomtpq.gateway.store.FhirFeed;
import org.iomtpq.gateway.store.ObservationRepository;
import org.iomtpq.gateway.store.StreamLeaseRepository;

/**
 * The FHIR export's parts, built only when {@code iomt.fhir.base-url} is set (otherwise no HAPI class is even
 * loaded): the feed the observation writer notes into, the HAPI client, the export service and its lease.
 */
final class FhirExportWiring implements AutoCloseable {

    static final String BASE_URL = "iomt.fhir.base-url";

    private final FhirFeed feed;
    private final FhirExport export;
    private final FhirSink sink;
    private final RelayLeadership leadership;
    private final ExecutorService senders;
    private final Clock clock;

    /** @param deadLetterStored told of each dead letter written (retention notes it) */
    FhirExportWiring(GatewaySettings settings, MongoDatabase db, DeviceRepository devices,
                     ObservationRepository observations, AuditTrail audit, String stream, Clock clock,
                     Consumer<Document> deadLetterStored) {
        this.clock = clock;
        String baseUrl = settings.get(BASE_URL).trim();
        checkUrl(baseUrl);
        int concurrency = settings.getInt("iomt.fhir.concurrency");
        feed = new FhirFeed(db);
        sink = new HapiFhirSink(baseUrl, settings.getInt("iomt.fhir.timeout-ms"), settings.getOrEmpty("iomt.fhir.token"),
                concurrency, writeMode(settings.get("iomt.fhir.write")));
        leadership = new RelayLeadership(new StreamLeaseRepository(db), "fhir-export", "FHIR export", stream,
                Duration.ofSeconds(settings.getLong("iomt.instance.lease-ttl-seconds")), clock);
        AtomicInteger n = new AtomicInteger();
        senders = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "fhir-send-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        var deadLetters = db.getCollection(Collections.DEAD_LETTERS);
        FhirExport.Rejections rejections = (type, identifier, json, rejection) -> {
            Document letter = DeadLetters.of("fhir", baseUrl, "fhir-export", "FHIR_REJECTED",
                    type + " " + identifier + ": HTTP " + rejection.status() + " " + capped(rejection.outcome()),
                    json.getBytes(StandardCharsets.UTF_8), clock.instant());
            deadLetters.insertOne(letter);
            deadLetterStored.accept(letter);
        };
        FhirContext r4 = FhirContext.forR4Cached();
        export = new FhirExport(feed, FhirExport.storedReadings(devices, observations),
                new VitalSignsMapping(settings.get("iomt.fhir.patient-identifier-system")), sink, rejections,
                leadership::leads, audit, senders,
                new FhirExport.Limits(settings.getInt("iomt.fhir.entries-per-round"),
                        Duration.ofMillis(settings.getLong("iomt.fhir.retry-first-ms")),
                        Duration.ofMillis(settings.getLong("iomt.fhir.retry-max-ms"))),
                clock, resource -> r4.newJsonParser().encodeResourceToString(resource));
    }

    private static HapiFhirSink.Mode writeMode(String value) {
        try {
            return HapiFhirSink.Mode.parse(value);
        } catch (IllegalArgumentException e) {
            throw new StartupException("iomt.fhir.write (IOMT_FHIR_WRITE) must be conditional-create or conditional-update,"
                    + " got '" + value.trim() + "'");
        }
    }

    /** What a server says about a refusal is kept, within reason: a server may answer with a page. */
    private static String capped(String outcome) {
        return outcome.length() <= 4_000 ? outcome : outcome.substring(0, 4_000) + "…";
    }

    private static void checkUrl(String baseUrl) {
        try {
            URI uri = URI.create(baseUrl);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return;
            }
        } catch (IllegalArgumentException e) {
            // said below
        }
        throw new StartupException("IOMT_FHIR_BASE_URL (" + BASE_URL + ") must be the FHIR server's base URL, "
                + "http(s)://host[:port]/path, or empty for no FHIR export");
    }

    FhirFeed feed() {
        return feed;
    }

    FhirExport export() {
        return export;
    }

    FhirSink sink() {
        return sink;
    }

    /** After the observation writer stopped: the feed says this process is done; the lease goes to another. */
    @Override
    public void close() {
        try {
            feed.stopped(clock.instant());
        } catch (RuntimeException e) {
            // the export then waits for this writer to be silent long enough (FhirExport.WRITER_DEAD_AFTER)
        }
        leadership.close();
        senders.shutdownNow();
        sink.close();
    }

}
