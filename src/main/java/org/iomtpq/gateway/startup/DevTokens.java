package org.iomtpq.gateway.startup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.iomtpq.gateway.config.GatewaySettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Development convenience: when no operator/auditor tokens are in the environment, generate them once into the
 * data directory (owner-only) and say where, instead of printing them to a log that others may read.
 */
public final class DevTokens {

    private static final Logger LOG = LoggerFactory.getLogger(DevTokens.class);
    private static final String FILE = "dev-tokens.properties";

    private DevTokens() {
    }

    public static GatewaySettings ensure(GatewaySettings settings) {
        if (settings.isSet("iomt.operator-token") && settings.isSet("iomt.auditor-token")) {
            return settings;
        }
        Path file = settings.dataDir().resolve(FILE);
        try {
            Files.createDirectories(settings.dataDir());
            Properties tokens = new Properties();
            if (Files.exists(file)) {
                try (var in = Files.newBufferedReader(file)) {
                    tokens.load(in);
                }
            } else {
                tokens.setProperty("IOMT_OPERATOR_TOKEN", random());
                tokens.setProperty("IOMT_AUDITOR_TOKEN", random());
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                try (var w = Files.newBufferedWriter(file)) {
                    tokens.store(w, "development tokens; set IOMT_OPERATOR_TOKEN / IOMT_AUDITOR_TOKEN in production");
                }
            }
            LOG.warn("IOMT_OPERATOR_TOKEN / IOMT_AUDITOR_TOKEN not set: using development tokens from {}", file);
            Map<String, String> more = new HashMap<>();
            if (!settings.isSet("iomt.operator-token")) {
                more.put("iomt.operator-token", tokens.getProperty("IOMT_OPERATOR_TOKEN"));
            }
            if (!settings.isSet("iomt.auditor-token")) {
                more.put("iomt.auditor-token", tokens.getProperty("IOMT_AUDITOR_TOKEN"));
            }
            return settings.with(more);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create development tokens in " + file + ": " + e.getMessage(), e);
        }
    }

    private static String random() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
