package org.iomtpq.gateway.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.SecureRandom;

import org.iomtpq.gateway.crypto.CryptoException;
import org.iomtpq.gateway.crypto.KeyWrap;
import org.iomtpq.gateway.crypto.SecretBytes;
import org.junit.jupiter.api.Test;

/** Master key rotation (docs/security.md): keys wrapped under the previous master key keep unwrapping. */
class SessionKeyVaultTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    private static KeyWrap masterKey() {
        return new KeyWrap(SecretBytes.random(32, RANDOM));
    }

    @Test
    void afterARotationOldSessionKeysUnwrapAndNewOnesAreWrappedUnderTheNewKeyOnly() {
        KeyWrap old = masterKey();
        KeyWrap current = masterKey();
        SecretBytes sessionKey = SecretBytes.random(32, RANDOM);
        byte[] wrappedBefore = new SessionKeyVault(old, 10).wrap("s1", SessionKeyVault.DEVICE_TO_GATEWAY, sessionKey);

        SessionKeyVault rotated = new SessionKeyVault(current, old, 10);
        assertArrayEquals(sessionKey.revealCopy(),
                rotated.unwrap("s1", SessionKeyVault.DEVICE_TO_GATEWAY, wrappedBefore).revealCopy());
        byte[] wrappedAfter = rotated.wrap("s2", SessionKeyVault.DEVICE_TO_GATEWAY, sessionKey);
        assertThrows(CryptoException.class, () -> new SessionKeyVault(old, 10)
                .unwrap("s2", SessionKeyVault.DEVICE_TO_GATEWAY, wrappedAfter), "wrapped under the new key only");

        SessionKeyVault previousDropped = new SessionKeyVault(current, 10);
        assertThrows(CryptoException.class, () -> previousDropped.unwrap("s1", SessionKeyVault.DEVICE_TO_GATEWAY, wrappedBefore));
        assertThrows(CryptoException.class, () -> rotated.unwrap("s1", SessionKeyVault.GATEWAY_TO_DEVICE, wrappedBefore),
                "the associated data still binds a key to its session and purpose");
    }
}
