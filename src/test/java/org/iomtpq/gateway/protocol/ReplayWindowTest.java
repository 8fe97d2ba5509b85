package org.iomtpq.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** §6: "seq not yet stored and seq > highest stored - 64". */
class ReplayWindowTest {

    private static void assertReplay(long seq, long highest, boolean stored) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> ReplayWindow.check(seq, highest, stored));
        assertEquals(ErrorCode.REPLAY, e.code());
        assertEquals(seq, e.seq());
    }

    @Test
    void firstMessagesOfASession() {
        assertDoesNotThrow(() -> ReplayWindow.check(1, 0, false));
        assertDoesNotThrow(() -> ReplayWindow.check(1000, 0, false)); // gaps are allowed
        assertReplay(1, 0, true);
    }

    @Test
    void windowEdges() {
        assertDoesNotThrow(() -> ReplayWindow.check(37, 100, false)); // 37 > 100 - 64 = 36
        assertReplay(36, 100, false);                                 // 36 <= 36
        assertReplay(1, 100, false);
        assertDoesNotThrow(() -> ReplayWindow.check(101, 100, false));
        assertDoesNotThrow(() -> ReplayWindow.check(1, 64, false));   // 1 > 0
        assertReplay(1, 65, false);
        assertDoesNotThrow(() -> ReplayWindow.check(99, 100, false)); // late but inside the window
    }

    @Test
    void alreadyStoredIsAlwaysAReplay() {
        assertReplay(100, 100, true);
        assertReplay(80, 100, true);
        assertReplay(Limits.MAX_MESSAGES_CAP, Limits.MAX_MESSAGES_CAP, true);
        assertDoesNotThrow(() -> ReplayWindow.check(Limits.MAX_MESSAGES_CAP, Limits.MAX_MESSAGES_CAP - 1, false));
    }
}
