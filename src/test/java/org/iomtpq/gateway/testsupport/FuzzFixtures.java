package org.iomtpq.gateway.testsupport;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.iomtpq.gateway.crypto.Hmac;
import org.iomtpq.gateway.crypto.MlDsaKeyPair;
import org.iomtpq.gateway.crypto.MlKemKeyPair;
import org.iomtpq.gateway.crypto.SecretBytes;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.SignedPayloads;

/**
 * The fixed world of the fuzz targets and of the seeds made for them: keys from fixed seeds, one clock instant, one
 * pending handshake and one established session. A seed made with these (FuzzCorpusWriter) passes every check it
 * can reach, so regression runs take the accepting paths too.
 */
public final class FuzzFixtures {

    public static final Instant NOW = Instant.parse("2026-11-23T19:00:00Z");
    public static final String GATEWAY_ID = "GATEWAY_EU_1";
    public static final String DEVICE_ID = "BP_MONITOR_001";
    public static final String OTHER_DEVICE_ID = "PULSE_OX_002";

    public static final MlKemKeyPair GATEWAY_KEM = MlKemKeyPair.fromSeed(seed(64, 1));
    public static final DeviceIdentity DEVICE = new DeviceIdentity(DEVICE_ID, "bp-monitor",
            MlKemKeyPair.fromSeed(seed(64, 2)), MlDsaKeyPair.fromSeed(seed(32, 3)));
    public static final DeviceIdentity DEVICE_NEXT = new DeviceIdentity(DEVICE_ID, "bp-monitor",
            MlKemKeyPair.fromSeed(seed(64, 4)), MlDsaKeyPair.fromSeed(seed(32, 5)));
    /** The commitment in force for {@link #DEVICE} (what a rotation is bound to). */
    public static final byte[] DEVICE_COMMITMENT = SignedPayloads.keyCommitment(
            DEVICE.kemKeyPair().publicKey().toBytes(), DEVICE.sigKeyPair().publicKey().toBytes());

    /** The one pending handshake (for finished) and the one established session (for telemetry), of DEVICE. */
    public static final byte[] SESSION_ID = seed(16, 6);
    public static final byte[] TRANSCRIPT_HASH = seed(32, 7);
    private static final byte[] DEVICE_FINISHED_KEY = seed(32, 8);
    private static final byte[] DEVICE_TO_GATEWAY_KEY = seed(32, 9);
    public static final long SESSION_MAX_MESSAGES = 1_000;
    /** The session's highest stored seq: seqs up to 100 - 64 are replays. */
    public static final long SESSION_HIGHEST_STORED = 100;

    private FuzzFixtures() {
    }

    public static SecretBytes deviceFinishedKey() {
        return SecretBytes.copyOf(DEVICE_FINISHED_KEY);
    }

    public static SecretBytes deviceToGatewayKey() {
        return SecretBytes.copyOf(DEVICE_TO_GATEWAY_KEY);
    }

    /** The MAC a device that holds the session's secrets sends in finished. */
    public static byte[] finishedMac() {
        return Hmac.sha256(DEVICE_FINISHED_KEY, TRANSCRIPT_HASH);
    }

    public static byte[] seed(int length, int tag) {
        byte[] s = new byte[length];
        for (int i = 0; i < length; i++) {
            s[i] = (byte) (tag * 31 + i);
        }
        return s;
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
