package org.iomtpq.gateway.protocol;

import static org.iomtpq.gateway.protocol.ErrorCode.INVALID_KEY;
import static org.iomtpq.gateway.protocol.ErrorCode.MALFORMED_REQUEST;
import static org.iomtpq.gateway.testsupport.FuzzOracle.codes;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Set;
import java.util.regex.Pattern;
import org.iomtpq.gateway.crypto.Encapsulation;
import org.iomtpq.gateway.crypto.InvalidKeyMaterialException;
import org.iomtpq.gateway.crypto.MlDsa;
import org.iomtpq.gateway.crypto.MlDsaPublicKey;
import org.iomtpq.gateway.crypto.MlKem;
import org.iomtpq.gateway.crypto.MlKemPublicKey;
import org.iomtpq.gateway.crypto.SecretBytes;
import org.iomtpq.gateway.testsupport.FuzzFixtures;
import org.iomtpq.gateway.testsupport.FuzzOracle;
import org.iomtpq.gateway.testsupport.FuzzOracle.Outcome;

/**
 * Fuzz targets for the key material the gateway takes from devices: ML-KEM-768 public keys (length and the FIPS 203
 * §7.2 modulus check, against an independent ByteEncode12(ByteDecode12(ek)) reference), ML-KEM ciphertexts
 * (decapsulation with implicit rejection), ML-DSA-65 public keys and signatures, and the base64 and hex decoders of
 * the wire fields. Bytes start from valid material (so mutations stay near the interesting edge) and are edited,
 * truncated, extended or replaced by the fuzzer. Through the protocol's decoders only {@code INVALID_KEY} (keys) and
 * {@code MALFORMED_REQUEST} (encodings) may come out; the crypto layer may throw only its documented
 * {@link InvalidKeyMaterialException}; verify never throws, and accepts a signature only when key, message and
 * signature are the original ones.
 */
class KeyMaterialFuzzTest {

    private static final Set<ErrorCode> KEY = codes(INVALID_KEY);
    private static final byte[] KEM_PK = FuzzFixtures.DEVICE.kemKeyPair().publicKey().toBytes();
    private static final byte[] DSA_PK = FuzzFixtures.DEVICE.sigKeyPair().publicKey().toBytes();
    private static final byte[] MESSAGE = FuzzFixtures.utf8("iomt-pq fuzz: a signed payload");
    private static final byte[] SIGNATURE = MlDsa.signDeterministic(FuzzFixtures.DEVICE.sigKeyPair().privateKey(), MESSAGE);
    private static final Encapsulation TO_GATEWAY =
            MlKem.encapsulateDeterministic(FuzzFixtures.GATEWAY_KEM.publicKey(), FuzzFixtures.seed(32, 11));
    private static final byte[] CIPHERTEXT = TO_GATEWAY.ciphertext();
    private static final byte[] SHARED_SECRET = TO_GATEWAY.sharedSecret().revealCopy();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern CANONICAL_B64 =
            Pattern.compile("^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=|[A-Za-z0-9+/][AQgw]==)?$");

    @FuzzTest(maxDuration = "2m")
    void publicKeysAndCiphertexts(FuzzedDataProvider fuzz) {
        switch (fuzz.consumeInt(0, 3)) {
            case 0 -> kemPublicKey(mutate(KEM_PK, fuzz));
            case 1 -> dsaPublicKeyAndSignature(fuzz);
            case 2 -> kemCiphertext(mutate(CIPHERTEXT, fuzz));
            default -> kemPublicKey(fuzz.consumeRemainingAsBytes());
        }
    }

    private static void kemPublicKey(byte[] raw) {
        boolean expected = raw.length == MlKem.PUBLIC_KEY_BYTES && referenceModulusCheck(raw);
        Outcome<MlKemPublicKey> viaProtocol = FuzzOracle.call("PublicKeys.kem", raw.length, KEY,
                () -> PublicKeys.kem(raw, "kemPublicKey"));
        // as it arrives in a field: canonical base64, then the key check
        String field = Base64s.encode(raw);
        Outcome<MlKemPublicKey> viaField = FuzzOracle.call("kem field", field.length(), KEY,
                () -> PublicKeys.kem(Base64s.decode(field), "kemPublicKey"));
        boolean crypto;
        try {
            MlKemPublicKey.fromBytes(raw);
            crypto = true;
        } catch (InvalidKeyMaterialException e) {
            FuzzOracle.requirePeerSafe("MlKemPublicKey.fromBytes", "kemPublicKey: " + e.getMessage());
            crypto = false;
        }
        if (viaProtocol.accepted() != expected || viaField.accepted() != expected || crypto != expected) {
            throw new AssertionError("ML-KEM key of " + raw.length + " bytes: FIPS 203 check says " + expected
                    + ", PublicKeys " + viaProtocol.accepted() + ", field " + viaField.accepted() + ", fromBytes " + crypto);
        }
        if (expected) {
            MlKemPublicKey pk = viaProtocol.value();
            if (!Arrays.equals(pk.toBytes(), raw)) {
                throw new AssertionError("an accepted ML-KEM key does not encode back to its bytes");
            }
            Encapsulation e = MlKem.encapsulate(pk, RANDOM);
            if (e.ciphertext().length != MlKem.CIPHERTEXT_BYTES || e.sharedSecret().length() != MlKem.SHARED_SECRET_BYTES) {
                throw new AssertionError("encapsulation to an accepted key has the wrong sizes");
            }
        }
    }

    private static void dsaPublicKeyAndSignature(FuzzedDataProvider fuzz) {
        boolean mutateKey = fuzz.consumeBoolean();
        byte[] pkBytes = mutateKey ? mutate(DSA_PK, fuzz) : DSA_PK.clone();
        byte[] signature = mutateKey ? SIGNATURE.clone() : mutate(SIGNATURE, fuzz);
        byte[] message = fuzz.consumeInt(0, 7) == 0 ? fuzz.consumeBytes(64) : MESSAGE;
        Outcome<MlDsaPublicKey> pk = FuzzOracle.call("PublicKeys.sig", pkBytes.length, KEY,
                () -> PublicKeys.sig(pkBytes, "sigPublicKey"));
        if (pk.accepted() != (pkBytes.length == MlDsa.PUBLIC_KEY_BYTES)) {
            throw new AssertionError("ML-DSA key of " + pkBytes.length + " bytes: accepted " + pk.accepted());
        }
        if (!pk.accepted()) {
            return;
        }
        boolean original = Arrays.equals(pkBytes, DSA_PK) && Arrays.equals(signature, SIGNATURE)
                && Arrays.equals(message, MESSAGE);
        boolean verified = MlDsa.verify(pk.value(), message, signature); // must not throw, whatever the bytes
        if (verified != original) {
            throw new AssertionError("ML-DSA-65 verify said " + verified + " for "
                    + (original ? "the original signature" : "a changed key, message or signature"));
        }
    }

    private static void kemCiphertext(byte[] ciphertext) {
        SecretBytes secret;
        try {
            secret = MlKem.decapsulate(FuzzFixtures.GATEWAY_KEM.privateKey(), ciphertext);
        } catch (InvalidKeyMaterialException e) {
            if (ciphertext.length == MlKem.CIPHERTEXT_BYTES) {
                throw new AssertionError("a ciphertext of the right length was refused", e);
            }
            return;
        }
        if (ciphertext.length != MlKem.CIPHERTEXT_BYTES) {
            throw new AssertionError("a ciphertext of " + ciphertext.length + " bytes was decapsulated");
        }
        boolean same = Arrays.equals(secret.revealCopy(), SHARED_SECRET);
        if (same != Arrays.equals(ciphertext, CIPHERTEXT)) {
            throw new AssertionError("implicit rejection: a changed ciphertext gave the original secret, or the original"
                    + " did not");
        }
    }

    /**
     * The decoders of the wire's encodings, on any string: canonical standard base64 (§0) and 0x hex. Accepted base64 is
     * exactly the canonical form (an independent regular expression) and re-encodes to itself; the length-checked
     * form refuses a wrong length with the code it is given, and only then.
     */
    @FuzzTest(maxDuration = "2m")
    void encodings(byte[] data) {
        String s = data.length > 0 && (data[0] & 1) == 1
                ? new String(data, 1, data.length - 1, StandardCharsets.ISO_8859_1)
                : new String(data, StandardCharsets.UTF_8);
        Outcome<byte[]> decoded = FuzzOracle.call("Base64s.decode", s.length(), codes(MALFORMED_REQUEST),
                () -> Base64s.decode(s));
        boolean canonical = CANONICAL_B64.matcher(s).matches();
        if (decoded.accepted() != canonical) {
            throw new AssertionError("base64 '" + s + "': accepted " + decoded.accepted() + ", canonical " + canonical);
        }
        int wanted = data.length % 40;
        Outcome<byte[]> exact = FuzzOracle.call("Base64s.decode(len)", s.length(), codes(MALFORMED_REQUEST, INVALID_KEY),
                () -> Base64s.decode(s, wanted, INVALID_KEY));
        if (decoded.accepted()) {
            if (!Base64s.encode(decoded.value()).equals(s)) {
                throw new AssertionError("accepted base64 does not re-encode to itself");
            }
            boolean rightLength = decoded.value().length == wanted;
            if (exact.accepted() != rightLength || (!rightLength && exact.code() != INVALID_KEY)) {
                throw new AssertionError("length check: " + exact.code() + " for " + decoded.value().length + " vs " + wanted);
            }
        } else if (exact.accepted() || exact.code() != MALFORMED_REQUEST) {
            throw new AssertionError("non-canonical base64 got " + exact.code() + " from the length-checked decoder");
        }
        if (Hex0x.isHash32(s)) {
            if (!Hex0x.encode(Hex0x.decode32(s)).equals(s)) {
                throw new AssertionError("a 0x hash does not decode and encode back to itself");
            }
        }
        if (Hex0x.isAddress(s) && !s.matches("0x[0-9a-f]{40}")) {
            throw new AssertionError("an address that is not 0x + 40 lowercase hex digits: " + s);
        }
    }

    /** Edits, truncates, extends or replaces {@code base}. */
    private static byte[] mutate(byte[] base, FuzzedDataProvider fuzz) {
        switch (fuzz.consumeInt(0, 7)) {
            case 0:
                return Arrays.copyOf(base, fuzz.consumeInt(0, base.length + 8));
            case 1:
                return fuzz.consumeBytes(base.length + 8);
            case 2:
                return base.clone();
            default:
                byte[] b = base.clone();
                int edits = fuzz.consumeInt(1, 6);
                for (int i = 0; i < edits; i++) {
                    int at = fuzz.consumeInt(0, b.length - 1);
                    b[at] = fuzz.consumeBoolean() ? fuzz.consumeByte() : (byte) (b[at] ^ (1 << fuzz.consumeInt(0, 7)));
                }
                return b;
        }
    }

    /**
     * FIPS 203 §7.2 literally: ek[0:1152] == ByteEncode12(ByteDecode12(ek[0:1152])), with ByteDecode12 reducing mod q
     * (Algorithms 5 and 6 on a bit array), independent of {@code MlKemPublicKey.passesModulusCheck}.
     */
    static boolean referenceModulusCheck(byte[] ek) {
        int q = 3329;
        int n = 3 * 256;
        boolean[] bits = new boolean[1152 * 8];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = ((ek[i / 8] >> (i % 8)) & 1) == 1;
        }
        int[] f = new int[n];
        for (int i = 0; i < n; i++) {
            int v = 0;
            for (int j = 0; j < 12; j++) {
                v += (bits[i * 12 + j] ? 1 : 0) << j;
            }
            f[i] = v % q;
        }
        byte[] again = new byte[1152];
        for (int i = 0; i < n; i++) {
            int a = f[i];
            for (int j = 0; j < 12; j++) {
                int bit = i * 12 + j;
                again[bit / 8] |= (byte) ((a & 1) << (bit % 8));
                a >>= 1;
            }
        }
        return Arrays.equals(again, Arrays.copyOf(ek, 1152));
    }
}
