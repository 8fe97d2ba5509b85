package org.iomtpq.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewaySettingsTest {

    private static final Path FILE = Path.of("config", "application.properties");

    @Test
    void environmentOverridesTheFileAndExplicitOverridesWin() {
        GatewaySettings s = GatewaySettings.load(FILE, Map.of("IOMT_HTTP_PORT", "9090", "IOMT_GATEWAY_ID", "ward-7"),
                Map.of("iomt.gateway-id", "ward-8"));
        assertEquals(9090, s.getInt("iomt.http.port"));
        assertEquals("ward-8", s.gatewayId());
        assertEquals("iomt", s.get("iomt.mongo.database"));
    }

    @Test
    void everyDocumentedVariableMapsToAKeyOfTheFile() {
        for (String env : new String[] {"IOMT_HTTP_PORT", "IOMT_MQTT_PORT", "IOMT_MQTT_URL", "IOMT_MONGO_URI", "IOMT_DATA_DIR",
                "IOMT_GATEWAY_ID", "IOMT_OPERATOR_TOKEN", "IOMT_AUDITOR_TOKEN", "IOMT_MASTER_KEY", "IOMT_MQTT_SHARED_GROUP"}) {
            GatewaySettings s = GatewaySettings.load(FILE, Map.of(env, "x-" + env), Map.of());
            long matches = s.asProperties().values().stream().filter(("x-" + env)::equals).count();
            assertEquals(1, matches, env + " must override exactly one key of config/application.properties");
        }
    }

    @Test
    void badValuesAreClearErrors() {
        GatewaySettings s = GatewaySettings.load(FILE, Map.of("IOMT_HTTP_PORT", "eighty"), Map.of());
        StartupException e = assertThrows(StartupException.class, () -> s.getInt("iomt.http.port"));
        assertEquals("iomt.http.port (IOMT_HTTP_PORT) must be a whole number, got 'eighty'", e.getMessage());
        assertEquals(StartupException.MISCONFIGURED, e.exitCode());
        GatewaySettings zero = GatewaySettings.load(FILE, Map.of("IOMT_HTTP_PORT", "0"), Map.of());
        assertEquals("iomt.http.port (IOMT_HTTP_PORT) must be a port number 1-65535, got 0",
                assertThrows(StartupException.class, () -> zero.getPort("iomt.http.port")).getMessage());
    }

    @Test
    void secretsComeFromTheFileAVariableEndingInFileNames(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("master-key");
        Files.writeString(key, "c2VjcmV0LWtleS1ieXRlcy1zZWNyZXQta2V5LWJ5dGVzISE=\n");
        Path token = dir.resolve("operator-token");
        Files.writeString(token, "op-token-from-a-file");
        GatewaySettings s = GatewaySettings.load(FILE, Map.of("IOMT_MASTER_KEY_FILE", key.toString(),
                "IOMT_OPERATOR_TOKEN_FILE", token.toString(), "IOMT_ETH_PRIVATE_KEY_FILE", token.toString()), Map.of());
        assertEquals("c2VjcmV0LWtleS1ieXRlcy1zZWNyZXQta2V5LWJ5dGVzISE=", s.get("iomt.master-key"), "trailing newline dropped");
        assertEquals("op-token-from-a-file", s.get("iomt.operator-token"));
        assertEquals("op-token-from-a-file", s.get("iomt.eth.private-key"), "a secret the file does not list");

        StartupException both = assertThrows(StartupException.class, () -> GatewaySettings.load(FILE,
                Map.of("IOMT_MASTER_KEY_FILE", key.toString(), "IOMT_MASTER_KEY", "x"), Map.of()));
        assertEquals("both IOMT_MASTER_KEY and IOMT_MASTER_KEY_FILE are set: keep one of them", both.getMessage());
        StartupException missing = assertThrows(StartupException.class, () -> GatewaySettings.load(FILE,
                Map.of("IOMT_AUDITOR_TOKEN_FILE", dir.resolve("absent").toString()), Map.of()));
        assertEquals("IOMT_AUDITOR_TOKEN_FILE names " + dir.resolve("absent") + ", which cannot be read (NoSuchFileException):"
                + " make it readable by this user, or unset IOMT_AUDITOR_TOKEN_FILE", missing.getMessage());
    }
}
