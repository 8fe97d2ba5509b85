package org.iomtpq.gateway.protocol;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import org.iomtpq.gateway.crypto.ConstantTime;
import org.iomtpq.gateway.crypto.Encapsulation;
import org.iomtpq.gateway.crypto.Hmac;
import org.iomtpq.gateway.crypto.MlKem;
import org.iomtpq.gateway.crypto.MlKemKeyPair;
import org.iomtpq.gateway.crypto.MlKemPublicKey;
import org.iomtpq.gateway.crypto.SecretBytes;

/**
 * The device side of the §5 handshake (device SDK). One instance per attempt:
 * {@link #start} → send {@link #hello()} → {@link #complete} with the server-hello → send {@link #finished()}.
 * The ephemeral secret key and ssG are erased once {@code complete} has run, whatever its outcome.
 */
public final class DeviceHandshake {
    private static final int NONCE_BYTES = 32;

    private final DeviceIdentity identity;
    private final String gatewayId;
    private final HelloMessage hello;
    private MlKemKeyPair ephemeral;
    private SecretBytes ssG;
    private FinishedMessage finished;
    private boolean used;

    private DeviceHandshake(DeviceIdentity identity, String gatewayId, HelloMessage hello, MlKemKeyPair ephemeral,
                            SecretBytes ssG) {
        this.identity = identity;
        this.gatewayId = gatewayId;
        this.hello = hello;
        this.ephemeral = ephemeral;
        this.ssG = ssG;
    }

    /**
     * {@code pinnedGatewayKey} must come from provisioning or from a gateway record the device has checked
     * (§5: keccak256 matches kemKeyHash, and the registry authorizes it).
     */
    public static DeviceHandshake start(DeviceIdentity id, String gatewayId, MlKemPublicKey pinnedGatewayKey,
                                        SecureRandom rnd) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(pinnedGatewayKey, "pinnedGatewayKey");
        if (!Identifiers.isValidGatewayId(gatewayId)) {
            throw new IllegalArgumentException("gatewayId does not match §2");
        }
        MlKemKeyPair ephemeral = MlKemKeyPair.generate(rnd);
        byte[] nonceD = new byte[NONCE_BYTES];
        rnd.nextBytes(nonceD);
        Encapsulation toGateway = MlKem.encapsulate(pinnedGatewayKey, rnd);
        HelloMessage hello = new HelloMessage(id.deviceId(), gatewayId, Labels.SUITE, nonceD,
                ephemeral.publicKey().toBytes(), toGateway.ciphertext());
        return new DeviceHandshake(id, gatewayId, hello, ephemeral, toGateway.sharedSecret());
    }

    public HelloMessage hello() {
        return hello;
    }

    /**
     * Checks the server-hello and derives the session. Ids that do not match the hello, or a MAC that does not
     * verify (wrong gateway key, tampered field), are {@code HANDSHAKE_FAILED}. May be called once.
     */
    public synchronized DeviceSession complete(ServerHelloMessage sh) {
        if (used) {
            throw new IllegalStateException("complete() may be called once per handshake");
        }
        used = true;
        SecretBytes ssS = null;
        SecretBytes ssE = null;
        SessionKeys keys = null;
        boolean success = false;
        try {
            if (!identity.deviceId().equals(sh.deviceId()) || !gatewayId.equals(sh.gatewayId())) {
                throw ProtocolException.handshakeFailed("server-hello is for another device or gateway");
            }
            ssS = MlKem.decapsulate(identity.kemKeyPair().privateKey(), sh.staticCiphertext());
            ssE = MlKem.decapsulate(ephemeral.privateKey(), sh.ephemeralCiphertext());
            byte[] th = Transcript.hash(hello, sh);
            keys = KeySchedule.derive(th, ssG, ssS, ssE);
            if (!ConstantTime.equals(Hmac.sha256(keys.gatewayFinished(), th), sh.mac())) {
                throw ProtocolException.handshakeFailed("server-hello MAC does not verify");
            }
            finished = new FinishedMessage(identity.deviceId(), sh.sessionId(), Hmac.sha256(keys.deviceFinished(), th));
            DeviceSession session = new DeviceSession(identity.deviceId(), sh.sessionId(), sh.expiresAt(),
                    sh.maxMessages(), keys);
            success = true;
            return session;
        } catch (RuntimeException e) {
            if (e instanceof ProtocolException) {
                throw e;
            }
            // e.g. a ciphertext of wrong length from a hand-built message: still just a failed handshake.
            throw new ProtocolException(ErrorCode.HANDSHAKE_FAILED, "server-hello could not be processed", e);
        } finally {
            // Forward secrecy: the ephemeral secret must not outlive this step.
            ephemeral.privateKey().destroy();
            ephemeral = null;
            ssG.destroy();
            destroy(ssS);
            destroy(ssE);
            if (keys != null && !success) {
                keys.destroy();
            }
        }
    }

    /** The finished message; available after a successful {@link #complete}. */
    public FinishedMessage finished() {
        if (finished == null) {
            throw new IllegalStateException("finished() is available after a successful complete()");
        }
        return finished;
    }

    private static void destroy(SecretBytes s) {
        if (s != null) {
            s.destroy();
        }
    }

    @Override
    public String toString() {
        return "DeviceHandshake[deviceId=" + identity.deviceId() + ", gatewayId=" + gatewayId
                + ", nonce=" + Arrays.hashCode(hello.nonce()) + "]";
    }
}
