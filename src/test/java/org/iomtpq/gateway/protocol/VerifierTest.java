package org.iomtpq.gateway.protocol;

import static org.iomtpq.gateway.protocol.ProtocolFixtures.DEVICE;
import static org.iomtpq.gateway.protocol.ProtocolFixtures.DEVICE_NEXT;
import static org.iomtpq.gateway.protocol.ProtocolFixtures.NOW;
import static org.iomtpq.gateway.protocol.ProtocolFixtures.RND;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import org.iomtpq.gateway.crypto.Hashes;
import org.iomtpq.gateway.crypto.MlDsaPublicKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** §4 and §5a checks and, above all, their order: stale → key → signature. */
class VerifierTest {

    /** Sets the first 12-bit coefficient of t to 4095 (>= q = 3329): the FIPS 203 §7.2 check must fail. */
    static byte[] failingModulusCheck(byte[] validKemPk) {
        byte[] k = validKemPk.clone();
        k[0] = (byte) 0xff;
        k[1] = (byte) (k[1] | 0x0f);
        return k;
    }

    private static void assertCode(ErrorCode code, Executable e) {
        assertEquals(code, assertThrows(ProtocolException.class, e).code());
    }

    private static EnrollMessage withKeys(EnrollMessage m, byte[] kem, byte[] sig, String timestamp, byte[] signature) {
        return new EnrollMessage(m.deviceId(), m.deviceType(), kem, sig, timestamp, signature);
    }

    @Test
    void validEnrollmentVerifiesAfterTheCodec() {
        EnrollMessage sent = DEVICE.enrollMessage(NOW, RND);
        EnrollMessage received = MessageCodec.parseEnroll(ProtocolFixtures.utf8(MessageCodec.toJson(sent)));
        VerifiedEnrollment v = EnrollmentVerifier.verify(received, NOW.plusSeconds(10));
        assertArrayEquals(DEVICE.keyCommitment(), v.keyCommitment());
        assertArrayEquals(Hashes.keccak256(sent.kemPublicKey(), sent.sigPublicKey()), v.keyCommitment());
        assertEquals(DEVICE.kemKeyPair().publicKey(), v.kemPublicKey());
        assertEquals(Hex0x.encode(v.keyCommitment()), v.keyCommitmentHex());
        assertEquals("bp-monitor", v.deviceType());
    }

    @Test
    void enrollmentChecksRunInTheNormativeOrder() {
        EnrollMessage m = DEVICE.enrollMessage(NOW, RND);
        byte[] badSig = m.signature();
        badSig[100] ^= 1;
        byte[] badKem = failingModulusCheck(m.kemPublicKey());
        String stale = Timestamps.format(NOW.minus(Duration.ofMinutes(6)));
        // everything wrong: stale wins
        assertCode(ErrorCode.STALE_REQUEST, () -> EnrollmentVerifier.verify(withKeys(m, badKem, new byte[5], stale, badSig), NOW));
        // fresh, bad key and bad signature: key wins
        assertCode(ErrorCode.INVALID_KEY, () -> EnrollmentVerifier.verify(withKeys(m, badKem, m.sigPublicKey(), m.timestamp(), badSig), NOW));
        // fresh, good keys, bad signature
        assertCode(ErrorCode.INVALID_SIGNATURE, () -> EnrollmentVerifier.verify(withKeys(m, m.kemPublicKey(), m.sigPublicKey(), m.timestamp(), badSig), NOW));
    }

    @Test
    void keyLengthAndModulusFailuresAreInvalidKey() {
        EnrollMessage m = DEVICE.enrollMessage(NOW, RND);
        byte[] kem = m.kemPublicKey();
        byte[] sig = m.sigPublicKey();
        assertCode(ErrorCode.INVALID_KEY, () -> EnrollmentVerifier.verify(withKeys(m, java.util.Arrays.copyOf(kem, 1183), sig, m.timestamp(), m.signature()), NOW));
        assertCode(ErrorCode.INVALID_KEY, () -> EnrollmentVerifier.verify(withKeys(m, java.util.Arrays.copyOf(kem, 1185), sig, m.timestamp(), m.signature()), NOW));
        assertCode(ErrorCode.INVALID_KEY, () -> EnrollmentVerifier.verify(withKeys(m, new byte[0], sig, m.timestamp(), m.signature()), NOW));
        assertCode(ErrorCode.INVALID_KEY, () -> EnrollmentVerifier.verify(withKeys(m, kem, java.util.Arrays.copyOf(sig, 1951), m.timestamp(), m.signature()), NOW));
        assertCode(ErrorCode.INVALID_KEY, () -> EnrollmentVerifier.verify(withKeys(m, failingModulusCheck(kem), sig, m.timestamp(), m.signature()), NOW));
    }

    @Test
    void modulusVectorsFromCctvAreInvalidKey() throws Exception {
        String dir = System.getProperty("iomt.vectors.dir");
        assumeTrue(dir != null, "iomt.vectors.dir not set: skipping");
        Path file = Path.of(dir, "cctv", "modulus_ML-KEM-768.txt.gz");
        assumeTrue(Files.isRegularFile(file), "vectors folder " + dir + " absent: skipping");
        EnrollMessage m = DEVICE.enrollMessage(NOW, RND);
        int checked = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.US_ASCII))) {
            for (String line = r.readLine(); line != null && checked < 50; line = r.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                byte[] ek = HexFormat.of().parseHex(line.trim());
                assertCode(ErrorCode.INVALID_KEY, () -> EnrollmentVerifier.verify(
                        withKeys(m, ek, m.sigPublicKey(), m.timestamp(), m.signature()), NOW));
                checked++;
            }
        }
        assertTrue(checked > 0);
    }

    @Test
    void timestampSkewBoundaries() {
        EnrollMessage m = DEVICE.enrollMessage(NOW, RND);
        EnrollmentVerifier.verify(m, NOW.plusSeconds(300));
        EnrollmentVerifier.verify(m, NOW.minusSeconds(300));
        assertCode(ErrorCode.STALE_REQUEST, () -> EnrollmentVerifier.verify(m, NOW.plusSeconds(301)));
        assertCode(ErrorCode.STALE_REQUEST, () -> EnrollmentVerifier.verify(m, NOW.minusSeconds(301)));
    }

    @Test
    void signatureCoversEveryField() {
        EnrollMessage m = DEVICE.enrollMessage(NOW, RND);
        EnrollMessage otherType = new EnrollMessage(m.deviceId(), "thermometer", m.kemPublicKey(), m.sigPublicKey(),
                m.timestamp(), m.signature());
        assertCode(ErrorCode.INVALID_SIGNATURE, () -> EnrollmentVerifier.verify(otherType, NOW));
        EnrollMessage otherId = new EnrollMessage("BP_MONITOR_002", m.deviceType(), m.kemPublicKey(), m.sigPublicKey(),
                m.timestamp(), m.signature());
        assertCode(ErrorCode.INVALID_SIGNATURE, () -> EnrollmentVerifier.verify(otherId, NOW));
        // same instant, different spelling: the signature is over the string as sent
        EnrollMessage respelled = withKeys(m, m.kemPublicKey(), m.sigPublicKey(), "2026-11-23T19:00:00Z", m.signature());
        assertCode(ErrorCode.INVALID_SIGNATURE, () -> EnrollmentVerifier.verify(respelled, NOW));
        // someone else's KEM key under this device's signature
        EnrollMessage swapped = withKeys(m, DEVICE_NEXT.kemKeyPair().publicKey().toBytes(), m.sigPublicKey(),
                m.timestamp(), m.signature());
        assertCode(ErrorCode.INVALID_SIGNATURE, () -> EnrollmentVerifier.verify(swapped, NOW));
    }

    private static final MlDsaPublicKey CURRENT_SIG = DEVICE.sigKeyPair().publicKey();

    @Test
    void validRotationVerifies() {
        RotateMessage m = MessageCodec.parseRotate(ProtocolFixtures.utf8(MessageCodec.toJson(
                DEVICE.rotateTo(DEVICE_NEXT, NOW, RND))));
        VerifiedRotationKeys k = RotationVerifier.checkTimestampAndKeys(m, NOW);
        assertArrayEquals(DEVICE_NEXT.keyCommitment(), k.keyCommitment());
        RotationVerifier.verifySignatures(m, k, CURRENT_SIG, DEVICE.keyCommitment());
    }

    @Test
    void rotationChecksRunInTheNormativeOrder() {
        RotateMessage m = DEVICE.rotateTo(DEVICE_NEXT, NOW, RND);
        RotateMessage staleAndBadKey = new RotateMessage(m.deviceId(), failingModulusCheck(m.kemPublicKey()),
                m.sigPublicKey(), "2026-11-23T18:50:00Z", m.signature(), m.newSignature());
        assertCode(ErrorCode.STALE_REQUEST, () -> RotationVerifier.checkTimestampAndKeys(staleAndBadKey, NOW));
        RotateMessage badKey = new RotateMessage(m.deviceId(), failingModulusCheck(m.kemPublicKey()),
                m.sigPublicKey(), m.timestamp(), m.signature(), m.newSignature());
        assertCode(ErrorCode.INVALID_KEY, () -> RotationVerifier.checkTimestampAndKeys(badKey, NOW));
        RotateMessage shortSig = new RotateMessage(m.deviceId(), m.kemPublicKey(), new byte[1952 - 1], m.timestamp(),
                m.signature(), m.newSignature());
        assertCode(ErrorCode.INVALID_KEY, () -> RotationVerifier.checkTimestampAndKeys(shortSig, NOW));
    }

    @Test
    void rotationSignaturesAreBoundToCurrentKeyAndCommitment() {
        RotateMessage m = DEVICE.rotateTo(DEVICE_NEXT, NOW, RND);
        VerifiedRotationKeys k = RotationVerifier.checkTimestampAndKeys(m, NOW);
        // wrong current commitment (a rotation made for an older key generation)
        assertCode(ErrorCode.INVALID_SIGNATURE, () -> RotationVerifier.verifySignatures(m, k, CURRENT_SIG, new byte[32]));
        // checked against a key that did not sign
        assertCode(ErrorCode.INVALID_SIGNATURE, () -> RotationVerifier.verifySignatures(m, k,
                DEVICE_NEXT.sigKeyPair().publicKey(), DEVICE.keyCommitment()));
        byte[] sig = m.signature();
        sig[0] ^= 1;
        RotateMessage badOld = new RotateMessage(m.deviceId(), m.kemPublicKey(), m.sigPublicKey(), m.timestamp(), sig,
                m.newSignature());
        ProtocolException e1 = assertThrows(ProtocolException.class,
                () -> RotationVerifier.verifySignatures(badOld, k, CURRENT_SIG, DEVICE.keyCommitment()));
        assertEquals(ErrorCode.INVALID_SIGNATURE, e1.code());
        byte[] newSig = m.newSignature();
        newSig[0] ^= 1;
        RotateMessage badNew = new RotateMessage(m.deviceId(), m.kemPublicKey(), m.sigPublicKey(), m.timestamp(),
                m.signature(), newSig);
        ProtocolException e2 = assertThrows(ProtocolException.class,
                () -> RotationVerifier.verifySignatures(badNew, k, CURRENT_SIG, DEVICE.keyCommitment()));
        assertEquals(ErrorCode.INVALID_SIGNATURE, e2.code());
        assertTrue(e2.getMessage().contains("newSignature"), e2.getMessage());
    }

    @Test
    void rotationKeepsTheDeviceId() {
        DeviceIdentity other = DeviceIdentity.generate("OTHER_DEVICE", "bp-monitor", RND);
        assertThrows(IllegalArgumentException.class, () -> DEVICE.rotateTo(other, NOW, RND));
    }

    @Test
    void signedPayloadLayouts() {
        byte[] enroll = SignedPayloads.enrollment("dev", "t", new byte[] {1}, new byte[] {2}, "Z");
        assertEquals("00000011" + hex("iomt-pq/v1/enroll") + "00000003646576" + "0000000174" + "0000000101" + "0000000102"
                + "000000015a", HexFormat.of().formatHex(enroll));
        byte[] rotate = SignedPayloads.rotation("dev", new byte[32], new byte[] {1}, new byte[] {2}, "Z");
        assertEquals("00000011" + hex("iomt-pq/v1/rotate") + "00000003646576" + "00000020" + "00".repeat(32)
                + "0000000101" + "0000000102" + "000000015a", HexFormat.of().formatHex(rotate));
        assertThrows(IllegalArgumentException.class,
                () -> SignedPayloads.rotation("dev", new byte[31], new byte[1], new byte[1], "Z"));
        assertArrayEquals(Hashes.keccak256("BP_MONITOR_001".getBytes(StandardCharsets.UTF_8)),
                SignedPayloads.deviceIdHash("BP_MONITOR_001"));
        // keccak256 (Ethereum), not SHA3-256: the well-known hash of the empty string
        assertEquals("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
                Hex0x.encode(SignedPayloads.keyCommitment(new byte[0], new byte[0])));
    }

    private static String hex(String s) {
        return HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void timestampsUsedByTheDeviceAreMillisecondPrecision() {
        EnrollMessage m = DEVICE.enrollMessage(Instant.parse("2026-11-23T19:00:00.123456Z"), RND);
        assertEquals("2026-11-23T19:00:00.123Z", m.timestamp());
    }
}
