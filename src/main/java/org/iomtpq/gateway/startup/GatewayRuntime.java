package org.iomtpq.gateway.startup;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLSocketFactory;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.iomtpq.gateway.camel.GatewayMqttClients;
import org.iomtpq.gateway.protocol.TelemetryProtection;
import org.iomtpq.gateway.camel.IngressMqttClient;
import org.iomtpq.gateway.chain.ChainSettings;
import org.iomtpq.gateway.chain.RegistryClient;
import org.iomtpq.gateway.config.DataDirLock;
import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.config.ListenPorts;
import org.iomtpq.gateway.config.StartupException;
import org.iomtpq.gateway.embedded.EmbeddedMongo;
import org.iomtpq.gateway.net.NoDelaySocketFactory;
import org.iomtpq.gateway.net.SharedSubscription;
import org.iomtpq.gateway.net.TrustedAuthorities;
import org.iomtpq.gateway.service.AuditStreamLease;
import org.iomtpq.gateway.service.ChainStartupCheck;
import org.iomtpq.gateway.service.RegistryMode;
import org.iomtpq.gateway.store.ChainCursorRepository;
import org.iomtpq.gateway.store.StreamLeaseRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: embedded MongoDB and MQTT broker where no external ones are configured, the object graph,
 * and Camel Main with the YAML routes from {@code routes/}. Closing it stops everything in reverse order.
 */
public final class GatewayRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayRuntime.class);

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private final GatewaySettings settings;
    private Main main;
    private GatewayComponents components;
    private String mqttUrl;
    /** The login of this gateway's MQTT clients: the configured one, or the embedded broker's for this start. */
    private String mqttUser;
    private String mqttPassword;
    private String mongoUri;
    private String upFilter;
    private String eventsFromBlock = "latest";

    private final TelemetryProtection protection;

    private GatewayRuntime(GatewaySettings settings, TelemetryProtection protection) {
        this.settings = settings;
        this.protection = protection;
    }

    public static GatewayRuntime start(GatewaySettings settings) {
        return start(settings, TelemetryProtection.AES_256_GCM);
    }

    /**
     * The load harness's "unsecured" comparison run: telemetry without AES-GCM. Refused unless the gateway stores
     * into the embedded MongoDB, has no chain, listens on loopback only and takes MQTT only from the embedded broker
     * or one on loopback, so it can never be pointed at real data or real devices.
     */
    public static GatewayRuntime startUnsecuredForBenchmark(GatewaySettings settings) {
        String mqttUrl = settings.getOrEmpty("iomt.mqtt.url");
        if (!settings.getOrEmpty("iomt.mongo.uri").isBlank() || !"none".equals(settings.get("iomt.registry.mode"))
                || !(mqttUrl.isBlank() || mqttUrl.startsWith("tcp://127.0.0.1:"))
                || !"127.0.0.1".equals(settings.get("iomt.http.host")) || !"127.0.0.1".equals(settings.get("iomt.mqtt.host"))) {
            throw new IllegalArgumentException("the unsecured benchmark gateway runs only on the embedded defaults");
        }
        LOG.warn("BENCHMARK ONLY: telemetry is accepted WITHOUT encryption by this gateway instance");
        return start(settings, TelemetryProtection.NONE_FOR_BENCHMARK);
    }

    private static GatewayRuntime start(GatewaySettings settings, TelemetryProtection protection) {
        GatewayRuntime runtime = new GatewayRuntime(settings, protection);
        try {
            runtime.startAll();
            return runtime;
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    private void startAll() {
        Clock clock = Clock.systemUTC();
        SecureRandom random = new SecureRandom();
        // Checked before anything starts, so that each mistake is one line naming the setting.
        ProtectionWiring.checkPlaintext(settings);
        ListenPorts.requireFree("HTTP", settings.get("iomt.http.host"), settings.getPort("iomt.http.port"),
                "IOMT_HTTP_PORT / IOMT_HTTP_HOST");
        if (Boolean.parseBoolean(settings.getOrEmpty("iomt.management.enabled"))) {
            ListenPorts.requireFree("health and metrics (the management port)", settings.get("iomt.management.host"),
                    settings.getPort("iomt.management.port"), "IOMT_MANAGEMENT_PORT / IOMT_MANAGEMENT_HOST, or"
                            + " IOMT_MANAGEMENT_ENABLED=false");
        }
        if (settings.getOrEmpty("iomt.mqtt.url").isBlank()) {
            ListenPorts.requireFree("MQTT (the embedded broker)", BrokerWiring.plainHost(settings),
                    settings.getPort("iomt.mqtt.port"), "IOMT_MQTT_PORT / IOMT_MQTT_HOST, or IOMT_MQTT_URL for an external broker");
            if (settings.isSet(ProtectionWiring.TLS_CERT)) {
                ListenPorts.requireFree("MQTT over TLS (the embedded broker)", settings.get("iomt.mqtt.host"),
                        settings.getPort("iomt.mqtt.tls-port"), "IOMT_MQTT_TLS_PORT / IOMT_MQTT_HOST");
            }
        }
        upFilter = SharedSubscription.upFilter(settings.get("iomt.mqtt.up-topic"), settings.getOrEmpty("iomt.mqtt.shared-group"));
        Duration leaseTtl = Duration.ofSeconds(settings.getLong("iomt.instance.lease-ttl-seconds"));
        // First, before the embedded store opens its files: is this data directory ours alone?
        DataDirLock dataDirLock = DataDirLock.acquire(settings.dataDir(), "IOMT_DATA_DIR", leaseTtl, clock, LOG::warn);
        toClose.push(dataDirLock);
        mongoUri = settings.getOrEmpty("iomt.mongo.uri");
        if (mongoUri.isBlank()) {
            EmbeddedMongo mongo = EmbeddedMongo.start(settings.dataDir(), "127.0.0.1", 0);
            toClose.push(mongo);
            mongoUri = mongo.connectionString();
            LOG.info("Embedded MongoDB (mongo-java-server, H2 file in {}) at {}", settings.dataDir(), mongoUri);
        }
        mqttUrl = settings.getOrEmpty("iomt.mqtt.url");
        mqttUser = settings.getOrEmpty("iomt.mqtt.username");
        mqttPassword = settings.getOrEmpty("iomt.mqtt.password");
        if (mqttUrl.isBlank()) {
            BrokerWiring.Started embedded = BrokerWiring.start(settings);
            toClose.push(embedded.broker());
            mqttUrl = embedded.broker().url();
            mqttUser = embedded.userName();
            mqttPassword = embedded.password();
        }
        MongoClient client = MongoClients.create(MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(mongoUri))
                .applyToClusterSettings(b -> b.serverSelectionTimeout(5, TimeUnit.SECONDS))
                .applyToSocketSettings(b -> b.connectTimeout(5, TimeUnit.SECONDS))
                .build());
        toClose.push(client);
        requireReachable(client);
        RegistryClient registry = startRegistryClient();
        components = new GatewayComponents(settings, client, registry, clock, random, protection);
        if (registry != null) {
            eventsFromBlock = new ChainCursorRepository(client.getDatabase(settings.get("iomt.mongo.database")),
                    registry.settings().requireRegistry()).lastBlock().stream().mapToObj(String::valueOf).findFirst()
                    .orElse("latest");
        }
        toClose.push(AuditStreamLease.hold(new StreamLeaseRepository(client.getDatabase(settings.get("iomt.mongo.database"))),
                components.audit().stream(), dataDirLock.id(), leaseTtl, clock));
        toClose.push(components); // the observation writer: after Camel has stopped and its exchanges are done
        toClose.push(components.audit()); // after Camel has stopped, before the lease goes: write what is queued
        LOG.info("Gateway {} instance {}, audit stream {}, registry.mode={}{}", components.identity().gatewayId(),
                components.identity().instanceId(), components.audit().stream(), components.registryMode().wireName(),
                components.registryMode() == RegistryMode.NONE
                        ? " (no chain: enrollments are ACTIVE at once; devices must pin the gateway key)" : "");
        startCamel();
    }

    /** The first contact with the store, so that an unreachable one is one line naming the setting, not a timeout trace. */
    private void requireReachable(MongoClient client) {
        try {
            client.getDatabase(settings.get("iomt.mongo.database")).runCommand(new org.bson.Document("ping", 1));
        } catch (com.mongodb.MongoException e) {
            throw new StartupException("cannot reach MongoDB at " + redacted(mongoUri) + " within 5 s (" + e.getClass().getSimpleName()
                    + "): check IOMT_MONGO_URI, or leave it empty for the embedded store", e);
        }
    }

    /** A connection string without its password, for messages. */
    private static String redacted(String uri) {
        return uri.replaceAll("//([^:/@]+):[^@/]*@", "//$1:***@");
    }

    /** With {@code iomt.registry.mode=chain}: the registry client (node, registry and our authorization checked), else null. */
    private RegistryClient startRegistryClient() {
        RegistryClient registry = ChainStartupCheck.connect(settings);
        if (registry == null) {
            return null;
        }
        ChainSettings chain = registry.settings();
        toClose.push(registry);
        LOG.info("Key registry {} on chain {} at {}, gateway account {}", chain.registryAddress(), chain.chainId(),
                chain.rpcUrl(), registry.account().address());
        return registry;
    }

    private void startCamel() {
        Map<String, Object> properties = new HashMap<>();
        settings.asProperties().forEach((k, v) -> properties.put(k.toString(), v));
        properties.put("iomt.mqtt.url", mqttUrl);
        properties.put("iomt.mongo.uri", mongoUri);
        properties.put("iomt.mqtt.up-topic", upFilter); // the mqtt-ingest route's filter, shared when a group is set
        properties.put("iomt.eth.events-from-block", eventsFromBlock);
        // Every producer endpoint publishes through the answer client (the consumer names the ingress client itself).
        properties.put("camel.component.paho-mqtt5.client", "#mqttAnswerClient");
        // Only for a producer restarted on its own, which then connects a plain client of its own with these.
        properties.put("camel.component.paho-mqtt5.broker-url", mqttUrl);
        if (mqttUrl.startsWith("tcp://")) {
            properties.put("camel.component.paho-mqtt5.socket-factory", "#class:" + NoDelaySocketFactory.class.getName());
        }
        if (!mqttUser.isEmpty()) {
            properties.put("camel.component.paho-mqtt5.user-name", mqttUser);
            properties.put("camel.component.paho-mqtt5.password", mqttPassword);
        }
        String clientId = settings.get("iomt.mqtt.client-id");
        GatewayMqttClients.Login login = new GatewayMqttClients.Login(mqttUser, mqttPassword, mqttTrust());
        if (login.tls() != null) {
            properties.put("camel.component.paho-mqtt5.socket-factory", "#mqttTlsSocketFactory");
        }
        // as many unacknowledged messages as the device lanes can hold waiting: more would only wait in this process
        int receiveMaximum = (int) Math.min(65_535L,
                (long) settings.getInt("iomt.mqtt.consumer-threads") * settings.getInt("iomt.mqtt.lane-queue"));
        IngressMqttClient ingress = IngressMqttClient.connect(mqttUrl, clientId,
                settings.getLong("iomt.mqtt.session-expiry-seconds"), login, receiveMaximum);
        toClose.push(named("the MQTT ingress client", () -> disconnect(ingress)));
        components.health().add("mqtt-broker", ingress::isConnected);
        MqttClient answers = GatewayMqttClients.connectAnswers(mqttUrl, clientId + "-answers", login);
        toClose.push(named("the MQTT answer client", () -> disconnect(answers)));
        main = new Main();
        main.setDefaultPropertyPlaceholderLocation("false");
        main.setOverrideProperties(properties);
        components.beans().forEach(main::bind);
        main.bind("mqttIngressClient", ingress);
        main.bind("mqttAnswerClient", answers);
        if (login.tls() != null) {
            main.bind("mqttTlsSocketFactory", login.tls());
        }
        long camelStarting = System.nanoTime();
        try {
            // the REST routes' server first, closed after Camel: its routes attach to it as they start, and it
            // listens once all of them are there
            components.httpServer().start();
            toClose.push(named("the HTTP server", () -> components.httpServer().stop()));
            main.start();
            components.httpServer().openPort();
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof java.net.BindException) {
                    throw new StartupException("cannot listen for HTTP on " + settings.get("iomt.http.host") + ":"
                            + settings.get("iomt.http.port") + " (" + t.getMessage() + "): stop what uses that port,"
                            + " or set IOMT_HTTP_PORT / IOMT_HTTP_HOST", e);
                }
            }
            throw new IllegalStateException("Camel failed to start: " + e.getMessage(), e);
        }
        toClose.push(named("Camel (in-flight exchanges)", () -> main.stop()));
        toClose.push(ingress::stopTaking); // first of all: no new MQTT message while Camel finishes the ones it has
        ingress.release();
        LOG.info("Gateway listening: HTTP {}, MQTT {} on {}{} (Camel started in {} ms)", httpBaseUrl(), mqttUrl, upFilter,
                Boolean.parseBoolean(settings.getOrEmpty("iomt.management.enabled")) ? ", health and metrics http://"
                        + settings.get("iomt.management.host") + ":" + settings.get("iomt.management.port") + "/observe" : "",
                (System.nanoTime() - camelStarting) / 1_000_000);
    }

    /** For ssl:// with {@code iomt.mqtt.ca-file}: TLS trusting that file's authorities; else null (the JVM's trust). */
    private SSLSocketFactory mqttTrust() {
        if (!settings.isSet("iomt.mqtt.ca-file") || !mqttUrl.startsWith("ssl://")) {
            return null;
        }
        try {
            return TrustedAuthorities.socketFactory(Path.of(settings.get("iomt.mqtt.ca-file")));
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage() + ": set IOMT_MQTT_CA_FILE to a PEM file of the broker's"
                    + " certificate authority", e);
        }
    }

    /** A closer with a name for the "stopping X took N ms" line. */
    private static AutoCloseable named(String name, AutoCloseable closer) {
        return new AutoCloseable() {
            @Override
            public void close() throws Exception {
                closer.close();
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    private static void disconnect(MqttClient client) throws Exception {
        try {
            if (client.isConnected()) {
                client.disconnect();
            }
        } finally {
            client.close();
        }
    }

    public CamelContext camelContext() {
        return main.getCamelContext();
    }

    public GatewayComponents components() {
        return components;
    }

    public String mqttUrl() {
        return mqttUrl;
    }

    public String mongoUri() {
        return mongoUri;
    }

    /** {@code http://host:port/observe}: health and metrics (when iomt.management.enabled). */
    public String managementBaseUrl() {
        return "http://" + settings.get("iomt.management.host") + ":" + settings.get("iomt.management.port") + "/observe";
    }

    private String apiScheme() {
        return settings.isSet("iomt.tls.cert-file") ? "https" : "http";
    }

    public String httpBaseUrl() {
        return apiScheme() + "://" + settings.get("iomt.http.host") + ":" + settings.get("iomt.http.port") + "/api/v1";
    }

    @Override
    public synchronized void close() {
        while (!toClose.isEmpty()) {
            AutoCloseable next = toClose.pop();
            long started = System.nanoTime();
            try {
                next.close();
            } catch (Exception e) {
                LOG.warn("while stopping: {}", e.toString());
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            if (millis > 1000) {
                LOG.info("stopping {} took {} ms", next, millis); // the stop must stay within 10 s: name what is slow
            }
        }
    }
}
