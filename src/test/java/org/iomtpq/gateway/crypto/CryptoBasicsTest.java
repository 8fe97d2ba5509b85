package org.iomtpq.gateway.crypto;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Known answers and API behaviour that need no external vectors. */
class CryptoBasicsTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void keccak256IsEthereumKeccakNotSha3() {
        assertEquals("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470", HEX.formatHex(Hashes.keccak256(new byte[0])));
        assertEquals("4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45", HEX.formatHex(Hashes.keccak256("abc".getBytes(UTF_8))));
        assertArrayEquals(Hashes.keccak256("abc".getBytes(UTF_8)), Hashes.keccak256("a".getBytes(UTF_8), "bc".getBytes(UTF_8)));
        // SHA3-256("") for contrast: the two must never be confused.
        assertEquals("a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a", HEX.formatHex(Hashes.sha3_256(new byte[0])));
    }

    @Test
    void sha256KnownAnswer() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                HEX.formatHex(Hashes.sha256("ab".getBytes(UTF_8), "c".getBytes(UTF_8))));
    }

    @Test
    void secretBytesNeverShowsContent() {
        byte[] raw = HEX.parseHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
        SecretBytes s = SecretBytes.copyOf(raw);
        assertEquals("SecretBytes[32 bytes]", s.toString());
        assertFalse(s.toString().contains("0011"));
        raw[0] = 9; // the secret holds its own copy
        assertEquals(0, s.revealCopy()[0]);
        byte[] revealed = s.revealCopy();
        revealed[1] = 9;
        assertEquals(0x11, s.revealCopy()[1]);
        assertNotEquals(s, SecretBytes.copyOf(s.revealCopy()), "no content equality");
        assertTrue(s.equalsConstantTime(SecretBytes.copyOf(s.revealCopy())));
        assertFalse(s.equalsConstantTime(SecretBytes.copyOf(new byte[31])));
        s.destroy();
        assertTrue(s.isDestroyed());
        assertThrows(IllegalStateException.class, s::revealCopy);
        assertFalse(s.toString().contains("0011"));
    }

    @Test
    void constantTimeEquals() {
        assertTrue(ConstantTime.equals(new byte[] {1, 2}, new byte[] {1, 2}));
        assertFalse(ConstantTime.equals(new byte[] {1, 2}, new byte[] {1, 3}));
        assertFalse(ConstantTime.equals(new byte[] {1, 2}, new byte[] {1, 2, 0}));
        assertTrue(ConstantTime.equals(new byte[0], new byte[0]));
        assertFalse(ConstantTime.equals(null, new byte[0]));
    }

    @Test
    void hkdfRejectsTooLongOutputAndAcceptsMaximum() {
        SecretBytes prk = Hkdf.extract(null, new byte[32]);
        assertEquals(255 * 32, Hkdf.expand(prk, "x", 255 * 32).length());
        assertThrows(IllegalArgumentException.class, () -> Hkdf.expand(prk, "x", 255 * 32 + 1));
        assertArrayEquals(Hkdf.expand(prk, "label", 32).revealCopy(), Hkdf.expand(prk, "label".getBytes(UTF_8), 32).revealCopy());
    }

    @Test
    void aesGcmRoundTripAndInputChecks() throws Exception {
        SecretBytes key = SecretBytes.random(32, RANDOM);
        byte[] nonce = new byte[12];
        byte[] sealed = AesGcm.seal(key, nonce, "aad".getBytes(UTF_8), "hello".getBytes(UTF_8));
        assertEquals(5 + 16, sealed.length);
        assertArrayEquals("hello".getBytes(UTF_8), AesGcm.open(key, nonce, "aad".getBytes(UTF_8), sealed));
        assertThrows(AeadFailureException.class, () -> AesGcm.open(key, nonce, "aaD".getBytes(UTF_8), sealed));
        assertThrows(AeadFailureException.class, () -> AesGcm.open(key, nonce, null, new byte[15]));
        assertThrows(InvalidKeyMaterialException.class, () -> AesGcm.seal(SecretBytes.random(16, RANDOM), nonce, null, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> AesGcm.seal(key, new byte[16], null, new byte[1]));
    }

    @Test
    void keyWrapRoundTripAndBinding() {
        KeyWrap wrap = new KeyWrap(SecretBytes.random(32, RANDOM));
        SecretBytes sessionKey = SecretBytes.random(32, RANDOM);
        byte[] ad = "session-1|kD2G".getBytes(UTF_8);
        byte[] wrapped = wrap.wrap(sessionKey, ad);
        assertEquals(12 + 32 + 16, wrapped.length);
        assertTrue(sessionKey.equalsConstantTime(wrap.unwrap(wrapped, ad)));
        assertFalse(java.util.Arrays.equals(wrapped, wrap.wrap(sessionKey, ad)), "fresh nonce per wrap");

        assertThrows(CryptoException.class, () -> wrap.unwrap(wrapped, "session-2|kD2G".getBytes(UTF_8)));
        for (int i = 0; i < wrapped.length; i += 7) {
            final int pos = i;
            byte[] flipped = wrapped.clone();
            flipped[pos] ^= 0x01;
            assertThrows(CryptoException.class, () -> wrap.unwrap(flipped, ad), "bit flip at " + pos);
        }
        assertThrows(CryptoException.class, () -> wrap.unwrap(new byte[27], ad));
        assertThrows(CryptoException.class, () -> new KeyWrap(SecretBytes.random(32, RANDOM)).unwrap(wrapped, ad));
        assertThrows(InvalidKeyMaterialException.class, () -> new KeyWrap(SecretBytes.random(16, RANDOM)));
    }

    @Test
    void mlKemRoundTripAndValidation() {
        MlKemKeyPair kp = MlKemKeyPair.generate(RANDOM);
        Encapsulation enc = MlKem.encapsulate(kp.publicKey(), RANDOM);
        assertEquals(MlKem.CIPHERTEXT_BYTES, enc.ciphertext().length);
        assertTrue(enc.sharedSecret().equalsConstantTime(MlKem.decapsulate(kp.privateKey(), enc.ciphertext())));
        assertFalse(enc.toString().contains("[B@"));

        byte[] forged = enc.ciphertext();
        forged[0] ^= 1; // implicit rejection: another secret, no exception
        assertFalse(enc.sharedSecret().equalsConstantTime(MlKem.decapsulate(kp.privateKey(), forged)));
        assertThrows(InvalidKeyMaterialException.class, () -> MlKem.decapsulate(kp.privateKey(), new byte[1087]));

        MlKemKeyPair again = MlKemKeyPair.fromSeed(kp.privateKey().seed().revealCopy());
        assertEquals(kp.publicKey(), again.publicKey());
        assertEquals(kp.publicKey().hashCode(), again.publicKey().hashCode());
        assertArrayEquals(Hashes.keccak256(kp.publicKey().toBytes()), kp.publicKey().keccak256());
        assertTrue(kp.publicKey().toString().length() < 40);
        assertFalse(kp.privateKey().toString().contains(HEX.formatHex(kp.privateKey().seed().revealCopy(), 0, 4)));

        byte[] bad = kp.publicKey().toBytes();
        bad[0] = (byte) 0xff; // first 12-bit coefficient = byte0 | (low nibble of byte1) << 8
        bad[1] = (byte) 0x0f; // = 0xfff = 4095 >= q = 3329
        assertThrows(InvalidKeyMaterialException.class, () -> MlKemPublicKey.fromBytes(bad));
        assertThrows(InvalidKeyMaterialException.class, () -> MlKemPublicKey.fromBytes(new byte[1183]));
        assertThrows(InvalidKeyMaterialException.class, () -> MlKemPrivateKey.fromSeed(new byte[32]));

        kp.privateKey().destroy();
        assertThrows(IllegalStateException.class, () -> MlKem.decapsulate(kp.privateKey(), enc.ciphertext()));
    }

    @Test
    void mlKemExpandedKeyRoundTrip() {
        MlKemKeyPair kp = MlKemKeyPair.generate(RANDOM);
        byte[] dk = kp.privateKey().expandedEncoding();
        MlKemPrivateKey imported = MlKemPrivateKey.fromExpanded(dk);
        Encapsulation enc = MlKem.encapsulate(kp.publicKey(), RANDOM);
        assertTrue(enc.sharedSecret().equalsConstantTime(MlKem.decapsulate(imported, enc.ciphertext())));
        assertThrows(IllegalStateException.class, imported::seed);
        dk[1152 + 1184] ^= 1; // corrupt H(ek)
        assertThrows(InvalidKeyMaterialException.class, () -> MlKemPrivateKey.fromExpanded(dk));
    }

    @Test
    void mlDsaSignVerify() {
        MlDsaKeyPair kp = MlDsaKeyPair.generate(RANDOM);
        byte[] msg = "enroll".getBytes(UTF_8);
        byte[] sig = MlDsa.sign(kp.privateKey(), msg, RANDOM);
        assertEquals(MlDsa.SIGNATURE_BYTES, sig.length);
        assertTrue(MlDsa.verify(kp.publicKey(), msg, sig));
        assertFalse(MlDsa.verify(kp.publicKey(), "enrolL".getBytes(UTF_8), sig));
        assertArrayEquals(MlDsa.signDeterministic(kp.privateKey(), msg), MlDsa.signDeterministic(kp.privateKey(), msg));
        assertTrue(MlDsa.verify(kp.publicKey(), msg, MlDsa.signDeterministic(kp.privateKey(), msg)));

        byte[] tampered = sig.clone();
        tampered[100] ^= 1;
        assertFalse(MlDsa.verify(kp.publicKey(), msg, tampered));
        assertFalse(MlDsa.verify(kp.publicKey(), msg, new byte[3308]));
        assertFalse(MlDsa.verify(kp.publicKey(), msg, new byte[MlDsa.SIGNATURE_BYTES]));
        assertFalse(MlDsa.verify(kp.publicKey(), msg, null));
        assertFalse(MlDsa.verifyWithContext(kp.publicKey(), msg, new byte[] {1}, sig), "context is bound");

        MlDsaKeyPair again = MlDsaKeyPair.fromSeed(kp.privateKey().seed().revealCopy());
        assertEquals(kp.publicKey(), again.publicKey());
        assertEquals(kp.publicKey(), MlDsaPublicKey.fromBytes(kp.publicKey().toBytes()));
        assertThrows(InvalidKeyMaterialException.class, () -> MlDsaPublicKey.fromBytes(new byte[1951]));
        assertThrows(InvalidKeyMaterialException.class, () -> MlDsaPrivateKey.fromSeed(new byte[64]));
    }
}
