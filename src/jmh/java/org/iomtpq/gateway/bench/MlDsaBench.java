package org.iomtpq.gateway.bench;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.iomtpq.gateway.crypto.MlDsa;
import org.iomtpq.gateway.crypto.MlDsaKeyPair;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * ML-DSA-65 hedged signing and verification over a message the size of an enrollment's signed payload. Signing time
 * varies a lot from call to call by design (FIPS 204 rejection sampling), so its error bars are wide.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MlDsaBench {

    private SecureRandom random;
    private MlDsaKeyPair keyPair;
    private byte[] message;
    private byte[] signature;

    @Setup
    public void setUp() {
        random = new SecureRandom();
        keyPair = MlDsaKeyPair.generate(random);
        // roughly an enroll message's signed payload: ids, two public-key hashes, a nonce and a timestamp
        message = ("iomt-pq/v1/enroll|BP_MONITOR_001|bp-monitor|" + "ab".repeat(96) + "|2026-11-23T19:00:00Z")
                .getBytes(StandardCharsets.UTF_8);
        signature = MlDsa.sign(keyPair.privateKey(), message, random);
        if (!MlDsa.verify(keyPair.publicKey(), message, signature)) {
            throw new IllegalStateException("setup signature does not verify");
        }
    }

    @Benchmark
    public byte[] sign() {
        return MlDsa.sign(keyPair.privateKey(), message, random);
    }

    @Benchmark
    public boolean verify() {
        return MlDsa.verify(keyPair.publicKey(), message, signature);
    }
}
