package org.iomtpq.gateway.startup;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import org.iomtpq.gateway.camel.ChainAdapter;
import org.iomtpq.gateway.camel.DeviceIngress;
import org.iomtpq.gateway.camel.DeviceLanes;
import org.iomtpq.gateway.camel.DeviceSteps;
import org.iomtpq.gateway.camel.ErrorReplies;
import org.iomtpq.gateway.camel.ObservationStore;
import org.iomtpq.gateway.camel.ManagementApi;
import org.iomtpq.gateway.camel.OperatorApi;
import org.iomtpq.gateway.camel.Replies;
import org.iomtpq.gateway.camel.TxHashAnswer;
import org.iomtpq.gateway.chain.RegistryClient;
import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.observe.GatewayMetrics;
import org.iomtpq.gateway.observe.HealthChecks;
import org.iomtpq.gateway.protocol.DeviceStatus;
import org.iomtpq.gateway.protocol.TelemetryProtection;
import org.iomtpq.gateway.service.AuditAnchors;
import org.iomtpq.gateway.service.AuditTrail;
import org.iomtpq.gateway.service.Authorizer;
import org.iomtpq.gateway.service.ChainEffects;
import org.iomtpq.gateway.service.ChainEvents;
import org.iomtpq.gateway.service.CommitmentCheck;
import org.iomtpq.gateway.service.DeviceChangeWatch;
import org.iomtpq.gateway.service.DeviceNotificationQueue;
import org.iomtpq.gateway.service.EnrollmentService;
import org.iomtpq.gateway.service.FhirExport;
import org.iomtpq.gateway.service.GatewayIdentity;
import org.iomtpq.gateway.service.GatewayInfo;
import org.iomtpq.gateway.service.HandshakeService;
import org.iomtpq.gateway.service.LiveSessions;
import org.iomtpq.gateway.service.MasterKey;
import org.iomtpq.gateway.service.ObservationBatches;
import org.iomtpq.gateway.service.ObservationWriter;
import org.iomtpq.gateway.service.OnChainKeys;
import org.iomtpq.gateway.service.OperatorCommands;
import org.iomtpq.gateway.service.OperatorQueries;
import org.iomtpq.gateway.service.OutageWaits;
import org.iomtpq.gateway.service.OutboxRelay;
import org.iomtpq.gateway.service.RegistryMode;
import org.iomtpq.gateway.service.RelayLeadership;
import org.iomtpq.gateway.service.RetentionService;
import org.iomtpq.gateway.service.RevocationService;
import org.iomtpq.gateway.net.HttpConnectionGuard;
import org.iomtpq.gateway.service.RotationService;
import org.iomtpq.gateway.service.StepRateLimits;
import org.iomtpq.gateway.service.SessionKeyVault;
import org.iomtpq.gateway.service.SubmissionWaits;
import org.iomtpq.gateway.service.TelemetryService;
import org.iomtpq.gateway.store.ApprovalRepository;
import org.iomtpq.gateway.store.AuditRepository;
import org.iomtpq.gateway.store.ChainCursorRepository;
import org.iomtpq.gateway.store.DeviceChanges;
import org.iomtpq.gateway.store.DeviceRepository;
import org.iomtpq.gateway.store.FhirFeed;
import org.iomtpq.gateway.store.MongoSchema;
import org.iomtpq.gateway.store.ObservationRepository;
import org.iomtpq.gateway.store.OutboxRepository;
import org.iomtpq.gateway.store.RetentionLedger;
import org.iomtpq.gateway.store.RetentionStore;
import org.iomtpq.gateway.store.SessionRepository;
import org.iomtpq.gateway.store.StoreUpgrade;
import org.iomtpq.gateway.store.StoredSeqs;
import org.iomtpq.gateway.store.StreamLeaseRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's object graph, built once from the settings and a MongoDB client, and the names under which the
 * YAML routes find its beans. Built by hand rather than by {@code @BindToRegistry} factories, which Camel Main may
 * call more than once (PITFALLS.md): one MongoClient, one audit chain head, no surprises.
 */
public final class GatewayComponents implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayComponents.class);
    /** The longest pause between storage retries; the same as the error route's maximumRedeliveryDelay. */
    private static final long STORAGE_RETRY_MAX_DELAY_MS = 5_000;

    private final Map<String, Object> beans = new LinkedHashMap<>();
    private final ObservationWriter observationWriter;
    private final DeviceChangeWatch changeWatch;
    private RelayLeadership relayLeadership; // chain mode only
    private final ExecutorService continuations;
    private final DeviceLanes deviceLanes;
    private final GatewayIdentity identity;
    private final AuditTrail audit;
    private final RegistryMode registryMode;
    private FhirExportWiring fhir; // only with iomt.fhir.base-url
    private HealthChecks health;
    private HttpConnectionGuard httpServer;

    /** {@code registry} null: no chain ({@code iomt.registry.mode=none}). */
    public GatewayComponents(GatewaySettings settings, MongoClient mongoClient, RegistryClient registry, Clock clock,
                             SecureRandom random) {
        this(settings, mongoClient, registry, clock, random, TelemetryProtection.AES_256_GCM);
    }

    /**
     * {@code protection} is AES-256-GCM for every gateway; only the load harness passes the benchmark-only
     * {@link TelemetryProtection#NONE_FOR_BENCHMARK} to measure what the encryption costs.
     */
    public GatewayComponents(GatewaySettings settings, MongoClient mongoClient, RegistryClient registry, Clock clock,
                             SecureRandom random, TelemetryProtection protection) {
        MongoDatabase db = mongoClient.getDatabase(settings.get("iomt.mongo.database"));
        MongoSchema.ensureIndexes(db);
        registryMode = RegistryMode.parse(settings.get("iomt.registry.mode"));
        identity = GatewayIdentity.loadOrCreate(settings.dataDir(), settings.gatewayId(), random);
        String stream = settings.isSet("iomt.audit-stream") ? settings.get("iomt.audit-stream")
                : identity.gatewayId() + "/" + identity.instanceId();

        DeviceRepository devices = new DeviceRepository(db);
        SessionRepository sessions = new SessionRepository(db);
        ObservationRepository observations = new ObservationRepository(db);
        AuditRepository auditRepository = new AuditRepository(db);
        ApprovalRepository approvals = new ApprovalRepository(db);
        audit = new AuditTrail(stream, identity.gatewayId(), auditRepository, clock,
                settings.getDuration("iomt.audit.rejection-window"), settings.getInt("iomt.audit.rejections-per-window"));
        SessionKeyVault vault = new SessionKeyVault(
                MasterKey.fromConfig(settings.getOrEmpty("iomt.master-key"), settings.dataDir(), random),
                MasterKey.previous(settings.getOrEmpty("iomt.master-key-previous")), 100_000);

        OutboxRepository outbox = new OutboxRepository(db);
        if (registryMode == RegistryMode.CHAIN && registry == null) {
            throw new IllegalStateException("iomt.registry.mode=chain needs a registry client");
        }
        if (registryMode == RegistryMode.CHAIN) { // only the chain relay reads the markers; the one scan at start
            int restored = outbox.restoreOpenMarkers();
            if (restored > 0) {
                LOG.info("outbox: {} open entries without a marker (an older database) marked", restored);
            }
        }
        int upgraded = StoreUpgrade.liveSessions(db, clock.instant()); // an older database: once
        if (upgraded > 0) {
            LOG.info("sessions: {} live sessions of an older database indexed per device, their stored seqs recorded", upgraded);
        }
        StoredSeqs storedSeqs = new StoredSeqs(db);
        RevocationService revocation = new RevocationService(devices, sessions, audit, registryMode, outbox, clock);
        CommitmentCheck commitmentCheck = null;
        // Without a chain nothing is submitted, so no answer ever waits.
        SubmissionWaits submissions = new SubmissionWaits(registryMode == RegistryMode.CHAIN
                ? Duration.ofMillis(settings.getLong("iomt.outbox.answer-wait-ms")) : Duration.ZERO);
        if (registryMode == RegistryMode.CHAIN) {
            OnChainKeys onChain = new OnChainKeys(registry::getDeviceKey);
            AuditAnchors anchors = new AuditAnchors(stream, auditRepository, outbox, registry,
                    settings.getInt("iomt.audit.anchor-max-batch"), clock);
            beans.put("auditAnchors", anchors);
            ChainEffects effects = new ChainEffects(devices, sessions, onChain, audit, anchors, clock);
            DeviceNotificationQueue notificationsElsewhere = new DeviceNotificationQueue();
            commitmentCheck = new CommitmentCheck(onChain, devices, outbox, effects, audit, notificationsElsewhere);
            ChainCursorRepository cursor = new ChainCursorRepository(db, registry.settings().requireRegistry());
            OutboxRelay relay = new OutboxRelay(outbox, registry, effects, clock,
                    new OutboxRelay.Limits(settings.getInt("iomt.outbox.register-batch-max"),
                            settings.getInt("iomt.outbox.max-in-flight")), submissions);
            // one relaying instance among those sharing this outbox; each signs with its own account
            relayLeadership = new RelayLeadership(new StreamLeaseRepository(db), stream,
                    Duration.ofSeconds(settings.getLong("iomt.instance.lease-ttl-seconds")), clock);
            beans.put("chainAdapter", new ChainAdapter(relay, submissions,
                    Duration.ofMillis(settings.getLong("iomt.outbox.relay-period-ms")),
                    new ChainEvents(devices, onChain, effects, revocation, clock), cursor, relayLeadership,
                    notificationsElsewhere));
            beans.put("web3j", registry.web3j());
        }
        EnrollmentService enrollment = new EnrollmentService(devices, approvals, audit, registryMode, outbox, clock);
        HandshakeService handshake = new HandshakeService(identity, devices, sessions, vault, audit, clock, random,
                settings.getDuration("iomt.session.ttl"), settings.getLong("iomt.session.max-messages"), commitmentCheck);
        LiveSessions live = new LiveSessions(sessions::find, deviceId -> devices.find(deviceId)
                        .map(d -> new LiveSessions.DeviceView(d.status() == DeviceStatus.REVOKED, d.keyCommitment()))
                        .orElse(LiveSessions.DeviceView.UNKNOWN),
                storedSeqs::top, clock::millis, settings.getLong("iomt.telemetry.session-recheck-ms"), 100_000);
        sessions.onSessionsEnded(live::deviceChanged);
        sessions.onAuthenticated(live::authenticated);
        devices.onRevoke(live::deviceChanged);
        changeWatch = new DeviceChangeWatch(new DeviceChanges(db), live, stream, clock);
        sessions.onSessionsEnded(changeWatch::announce); // after the local caches: the others are told last
        devices.onRevoke(changeWatch::announce);
        TelemetryService telemetry = new TelemetryService(identity.gatewayId(), live, observations, vault, protection, clock);
        // Other instances may write the same sessions (an external store, or a shared subscription group): the
        // writer then reads each batch's recorded tops so the replay window is exact across instances (§6).
        boolean othersWriteSessions = !settings.getOrEmpty("iomt.mongo.uri").isBlank()
                || !settings.getOrEmpty("iomt.mqtt.shared-group").isBlank();
        RetentionService retention = retention(settings, db, sessions, approvals, outbox, clock);
        if (settings.isSet(FhirExportWiring.BASE_URL)) {
            fhir = new FhirExportWiring(settings, db, devices, observations, audit, stream, clock,
                    letter -> retention.deadLetterStored(letter.getObjectId("_id").toHexString(), clock.instant()));
            beans.put("fhirExport", fhir.export());
        }
        FhirFeed feed = fhir == null ? null : fhir.feed();
        ObservationBatches batches = new ObservationBatches(observations::insertAll, storedSeqs::widen,
                othersWriteSessions ? storedSeqs::tops : null,
                feed == null ? ids -> { } : ids -> feed.note(ids, clock.instant()));
        Runnable idle = feed == null ? batches::flush : () -> {
            batches.flush();
            feed.heartbeat(clock.instant());
        };
        observationWriter = new ObservationWriter(batches, idle, settings.getInt("iomt.telemetry.write-batch-max"),
                settings.getLong("iomt.telemetry.write-linger-ms"), new OutageWaits(settings.getInt("iomt.mqtt.storage-retries"),
                        settings.getLong("iomt.mqtt.storage-retry-delay-ms"), STORAGE_RETRY_MAX_DELAY_MS));
        int continuationThreads = settings.getInt("iomt.telemetry.continuation-threads");
        // CallerRuns: should the pool ever refuse (shut down while a write completes), the continuation still runs
        // and the exchange is answered, instead of hanging unacknowledged.
        continuations = new ThreadPoolExecutor(continuationThreads, continuationThreads, 0L, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), daemonThreads("continuation"), new ThreadPoolExecutor.CallerRunsPolicy());
        RotationService rotation = new RotationService(devices, sessions, audit, registryMode, outbox, clock);
        GatewayInfo info = new GatewayInfo(identity, registryMode, registry == null ? null : registry.account().address());

        beans.put("mongoClient", mongoClient);
        StepRateLimits limits = ProtectionWiring.rateLimits(settings);
        beans.put("deviceIngress", new DeviceIngress(limits));
        httpServer = ProtectionWiring.connectionGuard(settings);
        beans.put("httpServer", httpServer);
        deviceLanes = new DeviceLanes(settings.getInt("iomt.mqtt.consumer-threads"), settings.getInt("iomt.mqtt.lane-queue"));
        beans.put("deviceLanes", deviceLanes);
        beans.put("deviceChangeWatch", changeWatch);
        beans.put("deviceSteps", new DeviceSteps(enrollment, handshake, telemetry, rotation));
        beans.put("storeObservation", new ObservationStore(observationWriter, telemetry, continuations));
        beans.put("txHashAnswer", new TxHashAnswer(submissions, continuations));
        beans.put("operatorApi", new OperatorApi(
                new Authorizer(settings.getOrEmpty("iomt.operator-token"), settings.getOrEmpty("iomt.auditor-token")), limits,
                new OperatorQueries(devices, sessions, observations, auditRepository, stream, clock),
                new OperatorCommands(approvals, revocation, audit, clock, changeWatch,
                        Duration.ofMillis(settings.getLong("iomt.telemetry.revocation-wait-ms"))), info,
                settings.isSet(ProtectionWiring.TLS_CLIENT_CA)));
        beans.put("retention", retention);
        health = new HealthChecks(clock);
        beans.put("managementApi", new ManagementApi(observability(db, registry, outbox, live, clock), health));
        beans.put("errorReplies", new ErrorReplies(audit, clock, retention::deadLetterStored));
        beans.put("replies", new Replies(registryMode.wireName()));
    }

    /**
     * The readiness checks of the parts this process has (the broker's is added where its client is made) and the
     * metrics read at each scrape. README "Health and metrics" says what each means.
     */
    private GatewayMetrics observability(MongoDatabase db, RegistryClient registry, OutboxRepository outbox,
                                         LiveSessions live, Clock clock) {
        health.add("mongodb", () -> db.runCommand(new org.bson.Document("ping", 1)) != null);
        GatewayMetrics metrics = new GatewayMetrics();
        metrics.count("iomt_write_batches", "observation insertMany commands sent",
                () -> observationWriter.batchesAndRecords()[0]);
        metrics.count("iomt_write_batch_records", "observations those commands carried (divided by the batches: the"
                + " mean batch size)", () -> observationWriter.batchesAndRecords()[1]);
        metrics.gauge("iomt_sessions_live", "authenticated, unexpired sessions this instance serves", live,
                l -> l.liveCount(clock.instant()));
        metrics.count("iomt_http_connections_refused", "API connections refused for the per-address cap (answered 429)",
                () -> httpServer.counts()[0]);
        metrics.count("iomt_http_connections_timed_out", "API connections closed by the request or idle timeout",
                () -> httpServer.counts()[1]);
        if (registryMode == RegistryMode.CHAIN) {
            health.add("chain", () -> {
                try {
                    return registry.web3j().ethBlockNumber().send().getBlockNumber() != null;
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            metrics.gauge("iomt_outbox_backlog", "chain operations not yet confirmed", outbox, o -> o.openCount());
            metrics.gauge("iomt_chain_confirmation_lag_seconds", "how long the oldest unconfirmed chain operation has"
                    + " waited (0: none waits)", outbox, o -> o.oldestOpenSince()
                    .map(t -> java.time.Duration.between(t, clock.instant()).toMillis() / 1000.0).orElse(0.0));
            AuditAnchors anchors = (AuditAnchors) beans.get("auditAnchors");
            metrics.gauge("iomt_audit_unanchored_entries", "entries of this instance's audit stream not yet anchored"
                    + " on chain", audit, a -> {
                        try {
                            return Math.max(0, a.headSeq() - anchors.lastAnchoredSeq(a.stream()));
                        } catch (RuntimeException e) {
                            return Double.NaN;
                        }
                    });
        }
        if (fhir != null) {
            health.add("fhir", fhir.sink()::reachable);
            FhirExport export = fhir.export();
            metrics.count("iomt_fhir_delivered_readings", "readings delivered to the FHIR server", () -> export.counts()[0]);
            metrics.count("iomt_fhir_rejected_resources", "resources the FHIR server refused (in dead letters)",
                    () -> export.counts()[1]);
            metrics.gauge("iomt_fhir_backlog", "observation write batches waiting for FHIR delivery (as of the last"
                    + " export round)", export, e -> e.counts()[2]);
        }
        return metrics;
    }

    /** The API's HTTP server (the REST routes' shared netty-http server); the runtime starts it before Camel. */
    public HttpConnectionGuard httpServer() {
        return httpServer;
    }

    /** Readiness checks; the runtime adds the broker's. */
    public HealthChecks health() {
        return health;
    }

    /**
     * Retention notes what falls due as it is stored: new sessions and approvals through their repositories, dead
     * letters through the error replies, finished outbox entries through the outbox.
     */
    private RetentionService retention(GatewaySettings settings, MongoDatabase db, SessionRepository sessions,
                                       ApprovalRepository approvals, OutboxRepository outbox, Clock clock) {
        RetentionService retention = new RetentionService(new RetentionLedger(db), new RetentionStore(db, sessions),
                new RetentionService.Ages(settings.getDuration("iomt.retention.sessions"),
                        settings.getDuration("iomt.retention.observations"), settings.getDuration("iomt.retention.approvals"),
                        settings.getDuration("iomt.retention.dead-letters"), settings.getDuration("iomt.retention.outbox")),
                settings.getInt("iomt.retention.batch"), settings.getInt("iomt.telemetry.write-batch-max"),
                // with a FHIR export, observations wait until they were delivered; without one, only their age counts
                storedBefore -> fhir == null || fhir.export().deliveredBefore(storedBefore),
                audit, clock);
        if (Boolean.parseBoolean(settings.get("iomt.retention.enabled"))) { // off: nothing noted, nothing purged
            sessions.onStoring(s -> retention.sessionStarted(s.sessionId(), s.expiresAtInstant()));
            approvals.onPutting(retention::approvalGranted);
            outbox.onFinished(retention::outboxEntryFinished);
        }
        return retention;
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    public ObservationWriter observationWriter() {
        return observationWriter;
    }

    /** After Camel stopped: writes the observations still queued, then stops the writer. */
    @Override
    public void close() {
        deviceLanes.close();
        observationWriter.close();
        if (fhir != null) {
            fhir.close(); // after the writer: everything it noted is in the feed
        }
        changeWatch.leave();
        if (relayLeadership != null) {
            relayLeadership.close(); // Camel has stopped: no relay round runs any more
        }
        health.close();
        continuations.shutdown();
        try {
            continuations.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Bean name → bean, for the Camel registry. */
    public Map<String, Object> beans() {
        return Map.copyOf(beans);
    }

    public GatewayIdentity identity() {
        return identity;
    }

    public AuditTrail audit() {
        return audit;
    }

    public RegistryMode registryMode() {
        return registryMode;
    }
}
