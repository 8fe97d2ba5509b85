package org.iomtpq.gateway.it;

import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.iomtpq.gateway.crypto.MlDsa;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.EnrollMessage;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.Reading;
import org.iomtpq.gateway.protocol.Timestamps;

/**
 * Builds hostile messages the way an attacker would: start from a valid JSON written by {@link MessageCodec} and
 * edit the text or the bytes; or sign otherwise-valid enrollments over keys that must be refused.
 */
public final class Forge {

    private Forge() {
    }

    /** An enroll message for {@code id}'s identity but with the given public keys, properly signed by {@code id}. */
    public static String enrollWithKeys(DeviceIdentity id, byte[] kemPk, byte[] sigPk, Instant at, SecureRandom random) {
        String timestamp = Timestamps.format(at);
        byte[] signed = org.iomtpq.gateway.protocol.SignedPayloads.enrollment(id.deviceId(), id.deviceType(), kemPk, sigPk, timestamp);
        return MessageCodec.toJson(new EnrollMessage(id.deviceId(), id.deviceType(), kemPk, sigPk, timestamp,
                MlDsa.sign(id.sigKeyPair().privateKey(), signed, random)));
    }

    public static String enroll(DeviceIdentity id, Instant at, SecureRandom random) {
        return MessageCodec.toJson(id.enrollMessage(at, random));
    }

    /**
     * A copy of a valid ML-KEM-768 encapsulation key whose first 12-bit coefficient is 4095 (>= q = 3329): right
     * length, fails the FIPS 203 §7.2 modulus check.
     */
    public static byte[] modulusFailing(byte[] validKemPk) {
        byte[] k = validKemPk.clone();
        k[0] = (byte) 0xFF;
        k[1] = (byte) (k[1] | 0x0F);
        return k;
    }

    public static byte[] truncated(byte[] key) {
        return Arrays.copyOf(key, key.length - 1);
    }

    /** Adds {@code "name":value} as the first member of the top-level object. */
    public static String withFirstMember(String json, String name, String rawValue) {
        return "{\"" + name + "\":" + rawValue + "," + json.substring(1);
    }

    /** Repeats an existing string member at the start of the object (a duplicate key with another value). */
    public static String withDuplicate(String json, String name, String otherValue) {
        return withFirstMember(json, name, "\"" + otherValue + "\"");
    }

    /** Replaces the value of a top-level member (string or number) with {@code rawValue}. */
    public static String replaceMember(String json, String name, String rawValue) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":(\"[^\"]*\"|-?[0-9]+)").matcher(json);
        if (!m.find()) {
            throw new IllegalArgumentException("no member " + name + " in " + json.substring(0, Math.min(80, json.length())));
        }
        return json.substring(0, m.start()) + "\"" + name + "\":" + Matcher.quoteReplacement(rawValue)
                + json.substring(m.end());
    }

    /**
     * A rotate message from {@code current} to the given new keys, signed by the current signing key and by
     * {@code newSigner} (whose public key need not be {@code newSigPk}: the keys are checked first).
     */
    public static String rotateWithKeys(DeviceIdentity current, byte[] newKemPk, byte[] newSigPk,
                                        org.iomtpq.gateway.crypto.MlDsaKeyPair newSigner, Instant at, SecureRandom random) {
        String timestamp = Timestamps.format(at);
        byte[] signed = org.iomtpq.gateway.protocol.SignedPayloads.rotation(current.deviceId(), current.keyCommitment(),
                newKemPk, newSigPk, timestamp);
        return MessageCodec.toJson(new org.iomtpq.gateway.protocol.RotateMessage(current.deviceId(), newKemPk, newSigPk,
                timestamp, MlDsa.sign(current.sigKeyPair().privateKey(), signed, random),
                MlDsa.sign(newSigner.privateKey(), signed, random)));
    }

    /** Flips one bit inside the decoded value of a base64 member and re-encodes it canonically. */
    public static String flipBase64Member(String json, String name, int byteIndex) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":\"([^\"]*)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalArgumentException("no member " + name);
        }
        byte[] raw = java.util.Base64.getDecoder().decode(m.group(1));
        raw[byteIndex] ^= 0x01;
        return json.substring(0, m.start(1)) + java.util.Base64.getEncoder().encodeToString(raw) + json.substring(m.end(1));
    }

    /**
     * The same bytes in non-canonical base64: the last character before the padding gets a non-zero unused bit
     * (RFC 4648 §3.5). Needs a value whose length is not a multiple of 3.
     */
    public static String nonCanonicalBase64(byte[] value) {
        String canonical = java.util.Base64.getEncoder().encodeToString(value);
        int last = canonical.indexOf('=') - 1;
        if (last < 0) {
            throw new IllegalArgumentException("needs padding: length not a multiple of 3");
        }
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        char tweaked = alphabet.charAt(alphabet.indexOf(canonical.charAt(last)) | 1);
        return canonical.substring(0, last) + tweaked + canonical.substring(last + 1);
    }

    /** A reading of a pulse oximeter whose spo2 is outside 50–100 (stored, flagged OUT_OF_RANGE). */
    public static Reading lowSpo2Reading() {
        Map<String, BigDecimal> v = new LinkedHashMap<>();
        v.put("spo2", new BigDecimal("45"));
        v.put("heartRate", new BigDecimal("88"));
        return new Reading(Timestamps.format(Instant.now()), v);
    }

    public static Reading normalReading() {
        Map<String, BigDecimal> v = new LinkedHashMap<>();
        v.put("systolic", new BigDecimal("120"));
        v.put("diastolic", new BigDecimal("80"));
        v.put("heartRate", new BigDecimal("70"));
        return new Reading(Timestamps.format(Instant.now()), v);
    }
}
