package org.iomtpq.gateway.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The broker logins of a Mosquitto password file ({@code mosquitto_passwd}), so that one file serves the embedded
 * broker and a Mosquitto in production: {@code user:$7$iterations$salt$hash} (PBKDF2-HMAC-SHA512, Mosquitto 2) and
 * {@code user:$6$salt$hash} (salted SHA-512, Mosquitto 1.x). Lines of any other form are refused when the file is
 * read, never skipped: a login nobody can use is a mistake to show at start-up.
 *
 * <p>The file is read again when its modification time changes (looked at no more than once a second), as Mosquitto
 * re-reads it on SIGHUP: a device taken out of the file cannot log in again; its open connection is not cut.
 */
public final class MosquittoPasswordFile {

    private static final long LOOK_EVERY_NANOS = 1_000_000_000L;
    private static final Base64.Decoder BASE64 = Base64.getDecoder();

    /** One user's stored hash. */
    private record Entry(int iterations, byte[] salt, byte[] hash) {
        boolean matches(byte[] password) {
            return MessageDigest.isEqual(hash, iterations == 0 ? sha512(password, salt) : pbkdf2(password, salt, iterations,
                    hash.length));
        }
    }

    private final Path file;
    private volatile Map<String, Entry> entries;
    private volatile FileTime readAt;
    private volatile long lookedAtNanos;

    private MosquittoPasswordFile(Path file, Map<String, Entry> entries, FileTime readAt) {
        this.file = file;
        this.entries = entries;
        this.readAt = readAt;
        this.lookedAtNanos = System.nanoTime();
    }

    /** Reads the file; an unreadable file or a line that is not a Mosquitto hash is an {@link IllegalArgumentException}. */
    public static MosquittoPasswordFile read(Path file) {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            return new MosquittoPasswordFile(file, parse(file, Files.readAllLines(file, StandardCharsets.UTF_8)), modified);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the broker password file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code user} is in the file with this password (constant time in the password's hash). */
    public boolean accepts(String user, byte[] password) {
        reloadIfChanged();
        Entry entry = entries.get(user);
        return entry != null && entry.matches(password);
    }

    /** Whether the file names {@code user}. */
    public boolean contains(String user) {
        reloadIfChanged();
        return entries.containsKey(user);
    }

    private void reloadIfChanged() {
        long now = System.nanoTime();
        if (now - lookedAtNanos < LOOK_EVERY_NANOS) {
            return;
        }
        synchronized (this) {
            if (now - lookedAtNanos < LOOK_EVERY_NANOS) {
                return;
            }
            lookedAtNanos = now;
            try {
                FileTime modified = Files.getLastModifiedTime(file);
                if (!modified.equals(readAt)) {
                    entries = parse(file, Files.readAllLines(file, StandardCharsets.UTF_8));
                    readAt = modified;
                }
            } catch (IOException | IllegalArgumentException e) {
                // a file being rewritten or broken after start: keep the logins read last, as Mosquitto keeps its own
                // when a reload fails; the next look tries again
            }
        }
    }

    private static Map<String, Entry> parse(Path file, List<String> lines) {
        Map<String, Entry> parsed = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + " is not user:hash (make the file with"
                        + " mosquitto_passwd)");
            }
            parsed.put(line.substring(0, colon), entry(file, i + 1, line.substring(colon + 1)));
        }
        return Map.copyOf(parsed);
    }

    private static Entry entry(Path file, int lineNumber, String hash) {
        String[] parts = hash.split("\\$", -1);
        try {
            if (parts.length == 5 && parts[0].isEmpty() && parts[1].equals("7")) {
                int iterations = Integer.parseInt(parts[2]);
                if (iterations >= 1) {
                    return new Entry(iterations, BASE64.decode(parts[3]), BASE64.decode(parts[4]));
                }
            } else if (parts.length == 4 && parts[0].isEmpty() && parts[1].equals("6")) {
                return new Entry(0, BASE64.decode(parts[2]), BASE64.decode(parts[3]));
            }
        } catch (IllegalArgumentException e) {
            // the line below says what to change
        }
        throw new IllegalArgumentException(file + " line " + lineNumber + ": the password is not a Mosquitto $7$ or $6$"
                + " hash (make the file with mosquitto_passwd)");
    }

    private static byte[] sha512(byte[] password, byte[] salt) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-512");
            digest.update(password);
            digest.update(salt);
            return digest.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-512 is missing from this JVM", e);
        }
    }

    /** PBKDF2-HMAC-SHA512 (RFC 8018 §5.2) over the password's raw bytes, as Mosquitto hashes them. */
    private static byte[] pbkdf2(byte[] password, byte[] salt, int iterations, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA512");
            // SecretKeySpec refuses an empty key; HMAC pads a key with zeros to its block, so one zero byte is the same key
            mac.init(new SecretKeySpec(password.length == 0 ? new byte[1] : password, "HmacSHA512"));
            byte[] out = new byte[length];
            int blockLength = mac.getMacLength();
            for (int block = 1, done = 0; done < length; block++, done += blockLength) {
                mac.update(salt);
                mac.update(new byte[] {(byte) (block >>> 24), (byte) (block >>> 16), (byte) (block >>> 8), (byte) block});
                byte[] u = mac.doFinal();
                byte[] t = u.clone();
                for (int i = 1; i < iterations; i++) {
                    u = mac.doFinal(u);
                    for (int j = 0; j < t.length; j++) {
                        t[j] ^= u[j];
                    }
                }
                System.arraycopy(t, 0, out, done, Math.min(blockLength, length - done));
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA512 is missing from this JVM", e);
        }
    }
}
