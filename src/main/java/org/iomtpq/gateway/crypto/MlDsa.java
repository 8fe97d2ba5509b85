package org.iomtpq.gateway.crypto;

import java.security.SecureRandom;
import java.util.Objects;
import org.bouncycastle.crypto.CipherParameters;
import org.bouncycastle.crypto.params.ParametersWithContext;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.pqc.crypto.mldsa.MLDSASigner;

/**
 * ML-DSA-65 (FIPS 204), pure mode with the empty context string, as the protocol requires.
 * Context-taking variants are package-private: they exist only so published vectors with a context
 * can be checked against the same code path.
 */
public final class MlDsa {

    public static final int PUBLIC_KEY_BYTES = 1952;
    public static final int SIGNATURE_BYTES = 3309;
    static final int MAX_CONTEXT_BYTES = 255;
    private static final byte[] EMPTY_CONTEXT = new byte[0];

    private MlDsa() {
    }

    /** Hedged signing (FIPS 204 default): fresh randomness guards against fault and side-channel attacks. */
    public static byte[] sign(MlDsaPrivateKey sk, byte[] message, SecureRandom random) {
        Objects.requireNonNull(random, "random");
        return signWithContext(sk, message, EMPTY_CONTEXT, random);
    }

    /** Deterministic variant (rnd = 32 zero bytes): same key and message give the same signature. */
    public static byte[] signDeterministic(MlDsaPrivateKey sk, byte[] message) {
        return signWithContext(sk, message, EMPTY_CONTEXT, null);
    }

    /** True only for a valid signature; any malformed input (length, encoding) is simply false. */
    public static boolean verify(MlDsaPublicKey pk, byte[] message, byte[] signature) {
        return verifyWithContext(pk, message, EMPTY_CONTEXT, signature);
    }

    /** random == null means deterministic signing. */
    static byte[] signWithContext(MlDsaPrivateKey sk, byte[] message, byte[] context, SecureRandom random) {
        Objects.requireNonNull(sk, "sk");
        Objects.requireNonNull(message, "message");
        checkContext(context);
        CipherParameters params = sk.bcParameters();
        if (random != null) {
            params = new ParametersWithRandom(params, random);
        }
        MLDSASigner signer = new MLDSASigner();
        signer.init(true, new ParametersWithContext(params, context));
        signer.update(message, 0, message.length);
        try {
            return signer.generateSignature();
        } catch (org.bouncycastle.crypto.CryptoException | RuntimeException e) {
            throw new CryptoException("ML-DSA-65 signing failed", e);
        }
    }

    static boolean verifyWithContext(MlDsaPublicKey pk, byte[] message, byte[] context, byte[] signature) {
        if (pk == null || message == null || signature == null || context == null
                || context.length > MAX_CONTEXT_BYTES || signature.length != SIGNATURE_BYTES) {
            return false;
        }
        try {
            MLDSASigner verifier = new MLDSASigner();
            verifier.init(false, new ParametersWithContext(pk.bcParameters(), context));
            verifier.update(message, 0, message.length);
            return verifier.verifySignature(signature);
        } catch (RuntimeException e) {
            // A malformed signature (e.g. bad hint encoding) is a forgery, not an error.
            return false;
        }
    }

    private static void checkContext(byte[] context) {
        Objects.requireNonNull(context, "context");
        if (context.length > MAX_CONTEXT_BYTES) {
            throw new IllegalArgumentException("ML-DSA context must be at most " + MAX_CONTEXT_BYTES + " bytes");
        }
    }
}
