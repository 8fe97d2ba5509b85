package org.iomtpq.gateway.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;
import java.util.UUID;

import org.iomtpq.gateway.crypto.MlKemKeyPair;
import org.iomtpq.gateway.crypto.SecretBytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's static ML-KEM-768 identity (PROTOCOL.md §5) and this instance's id (§10), kept in the data
 * directory. The key file holds the 64-byte seed, readable by the owner only; it is created on first start.
 * Every instance of one logical gateway must be given the same seed file.
 */
public final class GatewayIdentity {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayIdentity.class);
    static final String KEY_FILE = "gateway-mlkem768.seed";
    static final String INSTANCE_FILE = "instance-id";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final String gatewayId;
    private final String instanceId;
    private final MlKemKeyPair keyPair;

    private GatewayIdentity(String gatewayId, String instanceId, MlKemKeyPair keyPair) {
        this.gatewayId = gatewayId;
        this.instanceId = instanceId;
        this.keyPair = keyPair;
    }

    public static GatewayIdentity loadOrCreate(Path dataDir, String gatewayId, SecureRandom random) {
        try {
            Files.createDirectories(dataDir);
            MlKemKeyPair keyPair = loadOrCreateKey(dataDir.resolve(KEY_FILE), random);
            String instanceId = loadOrCreateInstanceId(dataDir.resolve(INSTANCE_FILE));
            return new GatewayIdentity(gatewayId, instanceId, keyPair);
        } catch (IOException e) {
            throw new IllegalStateException("cannot load or create the gateway identity in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private static MlKemKeyPair loadOrCreateKey(Path file, SecureRandom random) throws IOException {
        if (!Files.exists(file)) {
            byte[] seed = new byte[64];
            random.nextBytes(seed);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                Files.write(file, seed, StandardOpenOption.TRUNCATE_EXISTING);
                LOG.info("Generated the gateway's ML-KEM-768 identity in {}", file);
            } catch (FileAlreadyExistsException raced) {
                LOG.debug("another instance created {} first", file);
            } finally {
                java.util.Arrays.fill(seed, (byte) 0);
            }
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (!OWNER_ONLY.containsAll(perms)) {
            LOG.warn("{} was readable by others ({}); restricting it to its owner", file, PosixFilePermissions.toString(perms));
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        }
        byte[] seed = Files.readAllBytes(file);
        try {
            if (seed.length != 64) {
                throw new IllegalStateException(file + " must hold a 64-byte ML-KEM seed, found " + seed.length + " bytes");
            }
            return MlKemKeyPair.fromSeed(seed);
        } finally {
            java.util.Arrays.fill(seed, (byte) 0);
        }
    }

    private static String loadOrCreateInstanceId(Path file) throws IOException {
        if (!Files.exists(file)) {
            String id = UUID.randomUUID().toString().substring(0, 8);
            try {
                Files.writeString(file, id + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
            } catch (FileAlreadyExistsException raced) {
                LOG.debug("another process created {} first", file);
            }
        }
        return Files.readString(file, StandardCharsets.UTF_8).trim();
    }

    public String gatewayId() {
        return gatewayId;
    }

    public String instanceId() {
        return instanceId;
    }

    public MlKemKeyPair keyPair() {
        return keyPair;
    }

    /** Not secret; here so callers need not touch {@link SecretBytes}. */
    public byte[] publicKey() {
        return keyPair.publicKey().toBytes();
    }

    @Override
    public String toString() {
        return "GatewayIdentity[" + gatewayId + "/" + instanceId + "]";
    }
}
