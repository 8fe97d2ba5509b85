package org.iomtpq.gateway.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The gateway's configuration: {@code config/application.properties}, each key overridable by an
 * environment variable named after it ({@code iomt.http.port} ← {@code IOMT_HTTP_PORT}), then by explicit
 * overrides (tests, the demo). Immutable; the same resolved map is handed to Camel so YAML routes see it.
 */
public final class GatewaySettings {

    /**
     * The secrets, which may also come from a file named by {@code <VARIABLE>_FILE} (container and systemd secrets:
     * the value never sits in the environment or a process listing). The file holds the value, trailing newline allowed.
     */
    static final java.util.List<String> SECRETS = java.util.List.of("iomt.master-key", "iomt.master-key-previous", "iomt.operator-token",
            "iomt.auditor-token", "iomt.eth.private-key", "iomt.eth.keystore-password", "iomt.mqtt.password",
            "iomt.fhir.token");

    private final Map<String, String> values;

    private GatewaySettings(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** Loads the file, applies the environment, then {@code overrides} (which win). */
    public static GatewaySettings load(Path file, Map<String, String> environment, Map<String, String> overrides) {
        Map<String, String> merged = new TreeMap<>();
        Properties fromFile = new Properties();
        if (Files.exists(file)) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                fromFile.load(in);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read configuration " + file + ": " + e.getMessage(), e);
            }
        }
        fromFile.forEach((k, v) -> merged.put(k.toString(), v.toString().trim()));
        for (String key : Map.copyOf(merged).keySet()) {
            String fromEnv = environment.get(environmentName(key));
            if (fromEnv != null) {
                merged.put(key, fromEnv.trim());
            }
        }
        for (String key : SECRETS) {
            String fileVariable = environmentName(key) + "_FILE";
            String secretFile = environment.get(fileVariable);
            if (secretFile != null && !secretFile.isBlank()) {
                if (environment.get(environmentName(key)) != null) {
                    throw new StartupException("both " + environmentName(key) + " and " + fileVariable
                            + " are set: keep one of them");
                }
                merged.put(key, secretFromFile(fileVariable, Path.of(secretFile.trim())));
            }
        }
        merged.putAll(overrides);
        return new GatewaySettings(merged);
    }

    private static String secretFromFile(String variable, Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException | RuntimeException e) {
            throw new StartupException(variable + " names " + file + ", which cannot be read (" + e.getClass().getSimpleName()
                    + "): make it readable by this user, or unset " + variable);
        }
    }

    /** Default location relative to the working directory, with the process environment. */
    public static GatewaySettings fromEnvironment(Map<String, String> overrides) {
        return load(Path.of("config", "application.properties"), System.getenv(), overrides);
    }

    /** {@code iomt.http.port} → {@code IOMT_HTTP_PORT}. */
    public static String environmentName(String key) {
        return key.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
    }

    public GatewaySettings with(Map<String, String> more) {
        Map<String, String> merged = new TreeMap<>(values);
        merged.putAll(more);
        return new GatewaySettings(merged);
    }

    public String get(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalStateException("missing configuration key " + key);
        }
        return v;
    }

    public String getOrEmpty(String key) {
        return values.getOrDefault(key, "");
    }

    public boolean isSet(String key) {
        return !getOrEmpty(key).isBlank();
    }

    public int getInt(String key) {
        try {
            return Integer.parseInt(get(key));
        } catch (NumberFormatException e) {
            throw new StartupException(key + " (" + environmentName(key) + ") must be a whole number, got '" + get(key) + "'");
        }
    }

    public long getLong(String key) {
        try {
            return Long.parseLong(get(key));
        } catch (NumberFormatException e) {
            throw new StartupException(key + " (" + environmentName(key) + ") must be a whole number, got '" + get(key) + "'");
        }
    }

    /** A TCP port setting: 1–65535 (0 nowhere: the devices and operators must know where to connect). */
    public int getPort(String key) {
        int port = getInt(key);
        if (port < 1 || port > 65535) {
            throw new StartupException(key + " (" + environmentName(key) + ") must be a port number 1-65535, got " + port);
        }
        return port;
    }

    public Duration getDuration(String key) {
        try {
            return Duration.parse(get(key));
        } catch (RuntimeException e) {
            throw new IllegalStateException("configuration key " + key + " must be an ISO-8601 duration (e.g. PT24H), got '" + get(key) + "'");
        }
    }

    public Path dataDir() {
        return Path.of(get("iomt.data-dir"));
    }

    public String gatewayId() {
        return get("iomt.gateway-id");
    }

    /** Everything, for Camel's property placeholders. Secrets are included: never log this map. */
    public Properties asProperties() {
        Properties p = new Properties();
        p.putAll(values);
        return p;
    }

    @Override
    public String toString() {
        return "GatewaySettings[" + values.size() + " keys]";
    }
}
