package org.iomtpq.gateway.protocol;

import java.util.Objects;
import org.iomtpq.gateway.crypto.Hkdf;
import org.iomtpq.gateway.crypto.SecretBytes;

/**
 * §5 key schedule: PRK = HKDF-Extract(salt = TH, IKM = ssG || ssS || ssE), then one HKDF-Expand per key.
 * All three secrets enter the IKM, so an attacker must break the gateway's static key, the device's
 * static key AND the ephemeral key to learn session keys.
 */
public final class KeySchedule {
    private static final int KEY_BYTES = 32;

    private KeySchedule() {
    }

    /** Does not destroy its inputs; the caller owns ssG, ssS and ssE. */
    public static SessionKeys derive(byte[] th, SecretBytes ssG, SecretBytes ssS, SecretBytes ssE) {
        Objects.requireNonNull(th, "th");
        byte[] g = ssG.revealCopy();
        byte[] s = ssS.revealCopy();
        byte[] e = ssE.revealCopy();
        byte[] ikm = Bytes.concat(g, s, e);
        SecretBytes prk = null;
        try {
            prk = Hkdf.extract(th, ikm);
            return new SessionKeys(
                    Hkdf.expand(prk, Labels.KEY_DEVICE_TO_GATEWAY, KEY_BYTES),
                    Hkdf.expand(prk, Labels.KEY_GATEWAY_TO_DEVICE, KEY_BYTES),
                    Hkdf.expand(prk, Labels.KEY_DEVICE_FINISHED, KEY_BYTES),
                    Hkdf.expand(prk, Labels.KEY_GATEWAY_FINISHED, KEY_BYTES));
        } finally {
            Bytes.wipe(g);
            Bytes.wipe(s);
            Bytes.wipe(e);
            Bytes.wipe(ikm);
            if (prk != null) {
                prk.destroy();
            }
        }
    }
}
