package org.iomtpq.gateway.service;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.iomtpq.gateway.crypto.CryptoException;
import org.iomtpq.gateway.crypto.KeyWrap;
import org.iomtpq.gateway.crypto.SecretBytes;

/**
 * Session keys at rest and in memory. At rest a key is wrapped under the master key with associated data naming
 * its session and purpose, so a wrapped key copied into another record does not unwrap. In memory, unwrapped
 * device-to-gateway keys are cached (bounded, LRU) because every telemetry message needs one.
 */
public final class SessionKeyVault {

    public static final String DEVICE_TO_GATEWAY = "device-to-gateway";
    public static final String GATEWAY_TO_DEVICE = "gateway-to-device";
    public static final String DEVICE_FINISHED = "device-finished";

    private final KeyWrap wrap;
    private final KeyWrap previous;
    private final Map<String, SecretBytes> cache;

    public SessionKeyVault(KeyWrap wrap, int cacheSize) {
        this(wrap, null, cacheSize);
    }

    /**
     * @param previous the master key before a rotation, or null: keys wrapped under it still unwrap, new ones are
     *                 wrapped under {@code wrap} only. Once every session wrapped before the rotation has expired
     *                 (iomt.session.ttl), it can be dropped.
     */
    public SessionKeyVault(KeyWrap wrap, KeyWrap previous, int cacheSize) {
        this.wrap = wrap;
        this.previous = previous;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, SecretBytes> eldest) {
                // Evicted keys are not destroyed: a telemetry thread may still be decrypting with one.
                return size() > cacheSize;
            }
        };
    }

    public byte[] wrap(String sessionId, String purpose, SecretBytes key) {
        return wrap.wrap(key, associatedData(sessionId, purpose));
    }

    public SecretBytes unwrap(String sessionId, String purpose, byte[] wrapped) {
        byte[] associatedData = associatedData(sessionId, purpose);
        try {
            return wrap.unwrap(wrapped, associatedData);
        } catch (CryptoException notUnderTheCurrentKey) {
            if (previous == null) {
                throw notUnderTheCurrentKey;
            }
            return previous.unwrap(wrapped, associatedData);
        }
    }

    /** The device-to-gateway key of a session, unwrapping it once. The cache owns the returned key: don't destroy it. */
    public synchronized SecretBytes deviceToGateway(String sessionId, byte[] wrapped) {
        SecretBytes key = cache.get(sessionId);
        if (key == null) {
            key = unwrap(sessionId, DEVICE_TO_GATEWAY, wrapped);
            cache.put(sessionId, key);
        }
        return key;
    }

    /** Drops cached keys of ended sessions; a later message finds the session ended in the store anyway. */
    public synchronized void forget(String sessionId) {
        cache.remove(sessionId);
    }

    private static byte[] associatedData(String sessionId, String purpose) {
        return ("iomt-pq/v1/session-key|" + sessionId + "|" + purpose).getBytes(StandardCharsets.UTF_8);
    }
}
