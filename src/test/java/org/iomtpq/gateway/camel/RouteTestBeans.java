package org.iomtpq.gateway.camel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import org.apache.camel.CamelContext;
import org.apache.camel.main.MainConfigurationProperties;
import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.embedded.EmbeddedMongo;
import org.iomtpq.gateway.startup.GatewayComponents;

/**
 * Beans for route tests: the real object graph over an in-memory mongo-java-server (repositories need reads),
 * while the routes' own {@code mongodb:} and {@code paho-mqtt5:} endpoints are mocked by the test.
 */
final class RouteTestBeans implements AutoCloseable {

    static final String OPERATOR_TOKEN = "route-test-operator";
    static final String AUDITOR_TOKEN = "route-test-auditor";

    final EmbeddedMongo mongo = EmbeddedMongo.startInMemory();
    final MongoClient client = MongoClients.create(mongo.connectionString());
    final GatewayComponents components;

    RouteTestBeans() {
        Path dataDir;
        try {
            dataDir = Files.createTempDirectory("iomt-route-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        GatewaySettings settings = GatewaySettings.fromEnvironment(Map.of(
                "iomt.data-dir", dataDir.toString(),
                "iomt.operator-token", OPERATOR_TOKEN,
                "iomt.auditor-token", AUDITOR_TOKEN,
                "iomt.master-key", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="));
        components = new GatewayComponents(settings, client, null, Clock.systemUTC(), new SecureRandom());
    }

    void bindInto(MainConfigurationProperties configuration) {
        configuration.addConfiguration(new org.apache.camel.CamelConfiguration() {
            @Override
            public void configure(CamelContext context) {
                components.beans().forEach((name, bean) -> context.getRegistry().bind(name, bean));
            }
        });
        configuration.withRoutesIncludePattern("file:routes/*.camel.yaml");
    }

    @Override
    public void close() {
        components.close();
        client.close();
        mongo.close();
    }
}
