package org.iomtpq.gateway.service;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

import org.iomtpq.gateway.crypto.KeyWrap;
import org.iomtpq.gateway.crypto.SecretBytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key that wraps session keys at rest. From {@code IOMT_MASTER_KEY} (32 bytes, standard base64) in production;
 * otherwise a development key generated into the data directory, announced with a loud warning, because a
 * database stolen together with that directory exposes every session key.
 */
public final class MasterKey {

    private static final Logger LOG = LoggerFactory.getLogger(MasterKey.class);
    static final String DEV_KEY_FILE = "dev-master-key";

    private MasterKey() {
    }

    public static KeyWrap fromConfig(String base64OrEmpty, Path dataDir, SecureRandom random) {
        if (base64OrEmpty != null && !base64OrEmpty.isBlank()) {
            return new KeyWrap(decode(base64OrEmpty.trim(), "IOMT_MASTER_KEY"));
        }
        Path file = dataDir.resolve(DEV_KEY_FILE);
        try {
            Files.createDirectories(dataDir);
            if (!Files.exists(file)) {
                byte[] key = new byte[32];
                random.nextBytes(key);
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    Files.writeString(file, Base64.getEncoder().encodeToString(key));
                } catch (FileAlreadyExistsException raced) {
                    LOG.debug("{} appeared meanwhile", file);
                } finally {
                    java.util.Arrays.fill(key, (byte) 0);
                }
            }
            LOG.warn("*** IOMT_MASTER_KEY is not set: session keys are wrapped under a DEVELOPMENT key kept in {}. "
                    + "Anyone with that file and the database can read every session key. Never run production like this. ***", file);
            return new KeyWrap(decode(Files.readString(file).trim(), file.toString()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the development master key in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /** The master key before a rotation ({@code IOMT_MASTER_KEY_PREVIOUS}), or null when none is set. */
    public static KeyWrap previous(String base64OrEmpty) {
        if (base64OrEmpty == null || base64OrEmpty.isBlank()) {
            return null;
        }
        return new KeyWrap(decode(base64OrEmpty.trim(), "IOMT_MASTER_KEY_PREVIOUS"));
    }

    private static SecretBytes decode(String base64, String source) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(source + " must be 32 bytes in standard base64");
        }
        try {
            if (raw.length != 32) {
                throw new IllegalStateException(source + " must be 32 bytes in standard base64, got " + raw.length + " bytes");
            }
            return SecretBytes.copyOf(raw);
        } finally {
            java.util.Arrays.fill(raw, (byte) 0);
        }
    }
}
