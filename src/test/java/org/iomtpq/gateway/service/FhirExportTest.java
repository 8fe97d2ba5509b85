package org.iomtpq.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import ca.uhn.fhir.context.FhirContext;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import org.iomtpq.gateway.config.EphemeralGateway;
import org.iomtpq.gateway.fhir.HapiFhirSink;
import org.iomtpq.gateway.fhir.VitalSignsMapping;
import org.iomtpq.gateway.protocol.DeviceStatus;
import org.iomtpq.gateway.store.AuditRepository;
import org.iomtpq.gateway.store.Collections;
import org.iomtpq.gateway.store.DeviceRecord;
import org.iomtpq.gateway.store.DeviceRepository;
import org.iomtpq.gateway.store.FhirFeed;
import org.iomtpq.gateway.store.ObservationRecord;
import org.iomtpq.gateway.store.ObservationRepository;
import org.iomtpq.gateway.testsupport.InMemoryMongo;
import org.iomtpq.gateway.testsupport.MutableClock;
import org.iomtpq.gateway.tools.LocalFhirServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The FHIR export over the embedded store and a real (in-process) FHIR server: order, gaps, outages, retries. */
class FhirExportTest {

    private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

    private final InMemoryMongo mongo = new InMemoryMongo();
    private final MutableClock clock = new MutableClock(T0);
    private final ObservationRepository observations = new ObservationRepository(mongo.db());
    private final DeviceRepository devices = new DeviceRepository(mongo.db());
    private final FhirFeed feed = new FhirFeed(mongo.db());
    private final AuditTrail audit = new AuditTrail("gw/test", "gw", new AuditRepository(mongo.db()), clock,
            Duration.ofSeconds(10), 20);
    private final LocalFhirServer server = new LocalFhirServer(EphemeralGateway.freeLoopbackPort()).start();
    private final ExecutorService senders = Executors.newFixedThreadPool(4);
    private final List<String> rejected = new ArrayList<>();
    private final FhirExport export = export(HapiFhirSink.Mode.CONDITIONAL_CREATE);
    private int seq;

    private FhirExport export(HapiFhirSink.Mode mode) {
        return new FhirExport(feed, FhirExport.storedReadings(devices, observations),
                new VitalSignsMapping(VitalSignsMapping.DEFAULT_PATIENT_SYSTEM),
                new HapiFhirSink(server.baseUrl(), 5_000, "", 4, mode),
                (type, id, json, r) -> rejected.add(type + " " + id), () -> true, audit, senders,
                new FhirExport.Limits(100, Duration.ofSeconds(1), Duration.ofSeconds(8)), clock,
                r -> FhirContext.forR4Cached().newJsonParser().encodeResourceToString(r));
    }

    @AfterEach
    void stop() {
        server.close();
        senders.shutdownNow();
        audit.close();
        mongo.close();
    }

    /** Stores {@code count} heart-rate readings of one session and notes them as one write batch. */
    private List<String> batch(int count) {
        if (devices.find("HR_1").isEmpty()) {
            devices.insert(new DeviceRecord("HR_1", "pulse-oximeter", DeviceStatus.ACTIVE, new byte[1184], new byte[1952],
                    "0xh", "0xc", null, null, null, "http", T0, T0, null, null, "m", null, List.of()));
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            seq++;
            observations.insert(new ObservationRecord("c2Vzcw==", seq, "HR_1", "gw", "2026-12-03T09:59:00Z",
                    "2026-12-03T09:59:01Z", Map.of("heartRate", BigDecimal.valueOf(60 + seq)), Map.of(), "0x00"));
            ids.add(ObservationRepository.id("c2Vzcw==", seq));
        }
        feed.note(ids, clock.instant());
        return ids;
    }

    private long feedSize() {
        return mongo.db().getCollection(Collections.FHIR_FEED).countDocuments();
    }

    @Test
    void deliversInOrderAndEmptiesTheFeed() {
        batch(3);
        batch(2);
        assertEquals(2, export.deliverRound());
        assertEquals(5, server.observations().size());
        assertEquals(1, server.devices().size());
        assertEquals(0, feedSize());
        assertEquals(0, export.deliverRound(), "nothing twice");
    }

    /** A crash after sending but before the entry was marked delivered: the retry must not make a second copy. */
    @Test
    void aRedeliveredEntryLeavesOneResourcePerIdentifier() {
        redeliveredOnce(export);
    }

    @Test
    void soItDoesWithConditionalUpdates() {
        redeliveredOnce(export(HapiFhirSink.Mode.CONDITIONAL_UPDATE));
    }

    private void redeliveredOnce(FhirExport exporter) {
        batch(4);
        Document entry = mongo.db().getCollection(Collections.FHIR_FEED).find().first();
        exporter.deliverRound();
        mongo.db().getCollection(Collections.FHIR_FEED).insertOne(entry);
        mongo.db().getCollection(Collections.FHIR_FEED_WRITERS).updateMany(new Document(), Updates.set("delivered", 0L));
        assertEquals(1, exporter.deliverRound());
        assertEquals(4, server.observations().size());
        assertEquals(4, server.conditionalMatches());
    }

    @Test
    void aGapInTheFeedIsSkippedOnceALaterEntryExists() {
        batch(1);
        List<String> second = batch(1);
        batch(1);
        mongo.db().getCollection(Collections.FHIR_FEED).deleteOne(Filters.eq("ids", second.get(0)));
        assertEquals(2, export.deliverRound());
        assertEquals(2, server.observations().size());
        batch(1);
        assertEquals(1, export.deliverRound(), "and the export goes on after it");
    }

    @Test
    void aServerThatIsDownIsWaitedOutWithBackoffAndNothingIsLost() {
        batch(2);
        server.stop();
        assertEquals(0, export.deliverRound());
        assertEquals(1, feedSize(), "kept");
        server.start();
        clock.advance(Duration.ofMillis(500));
        assertEquals(0, export.deliverRound(), "still backing off");
        clock.advance(Duration.ofMillis(600));
        assertEquals(1, export.deliverRound());
        assertEquals(2, server.observations().size());
    }

    @Test
    void aRejectedResourceIsSetAsideAndTheEntryCompletes() {
        server.rejectWhen(r -> r instanceof org.hl7.fhir.r4.model.Observation o
                && o.getValueQuantity().getValue().intValue() == 62);
        batch(3);
        assertEquals(1, export.deliverRound());
        assertEquals(2, server.observations().size());
        assertEquals(List.of("Observation c2Vzcw==/2/heartRate"), rejected);
        assertEquals(0, feedSize());
    }

    @Test
    void retentionIsToldWhatWasDelivered() {
        batch(1);
        clock.advance(Duration.ofMinutes(1));
        assertFalse(export.deliveredBefore(clock.instant()), "stored before now, not yet delivered");
        assertTrue(export.deliveredBefore(T0), "nothing stored before T0");
        export.deliverRound();
        assertTrue(export.deliveredBefore(clock.instant()));
    }

    @Test
    void retentionsAnswerIsReusedOnlyForInstantsWellBeforeTheLook() {
        clock.advance(Duration.ofMinutes(5));
        assertTrue(export.deliveredBefore(T0), "an empty feed: everything stored before T0 was delivered");
        batch(1);
        assertTrue(export.deliveredBefore(T0), "the same look, for an instant minutes before it");
        assertFalse(export.deliveredBefore(clock.instant().plusSeconds(1)),
                "an instant after the look (less the clock margin) looks at the feed again and sees the new entry");
    }

    @Test
    void aWriterThatStoppedWithNothingLeftIsForgotten() {
        batch(1);
        feed.stopped(clock.instant());
        export.deliverRound();
        export.deliverRound();
        assertEquals(0, mongo.db().getCollection(Collections.FHIR_FEED_WRITERS).countDocuments());
    }
}
