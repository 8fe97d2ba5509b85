package org.iomtpq.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.iomtpq.gateway.protocol.SessionState;
import org.iomtpq.gateway.store.SessionRecord;
import org.junit.jupiter.api.Test;

class LiveSessionsTest {

    private final Map<String, SessionRecord> sessions = new HashMap<>();
    private final Map<String, Boolean> revoked = new HashMap<>();
    private final Map<String, String> deviceKeys = new HashMap<>();
    private final Map<String, Long> highest = new HashMap<>();
    private final AtomicInteger sessionReads = new AtomicInteger();
    private final AtomicInteger deviceReads = new AtomicInteger();
    private final AtomicInteger highestReads = new AtomicInteger();
    private final AtomicLong millis = new AtomicLong(1_000);
    private Runnable duringSessionRead = () -> { };

    private LiveSessions live(long recheckMillis) {
        return new LiveSessions(id -> {
            sessionReads.incrementAndGet();
            duringSessionRead.run();
            return Optional.ofNullable(sessions.get(id));
        }, this::device, id -> {
            highestReads.incrementAndGet();
            return highest.getOrDefault(id, 0L);
        }, millis::get, recheckMillis, 1_000);
    }

    private LiveSessions.DeviceView device(String deviceId) {
        deviceReads.incrementAndGet();
        return revoked.containsKey(deviceId)
                ? new LiveSessions.DeviceView(revoked.get(deviceId), deviceKeys.getOrDefault(deviceId, "0xc0"))
                : LiveSessions.DeviceView.UNKNOWN;
    }

    private static SessionRecord session(String id, String deviceId, String endedReason) {
        return session(id, deviceId, endedReason, SessionState.AUTHENTICATED);
    }

    private static SessionRecord session(String id, String deviceId, String endedReason, SessionState state) {
        Instant t = Instant.parse("2026-11-23T20:00:00Z");
        return new SessionRecord(id, deviceId, "0xc0", "gw", state, t, t, "2026-11-24T20:00:00Z",
                t.plusSeconds(86_400), 1_000, null, null, new byte[32], new byte[32], endedReason, 0);
    }

    @Test
    void aHandshakeInProgressIsNeverCached() {
        sessions.put("s1", session("s1", "D1", null, SessionState.ENCAPSULATED));
        revoked.put("D1", false);
        LiveSessions live = live(60_000);
        assertEquals(SessionState.ENCAPSULATED, live.snapshot("s1").orElseThrow().session().state());
        sessions.put("s1", session("s1", "D1", null)); // finished arrives
        assertEquals(SessionState.AUTHENTICATED, live.snapshot("s1").orElseThrow().session().state(),
                "telemetry right after 'established' must see the authenticated session");
    }

    @Test
    void aRevocationLandingWhileTheWindowIsReadIsNotMissed() {
        sessions.put("s1", session("s1", "D1", null));
        revoked.put("D1", false);
        LiveSessions[] holder = new LiveSessions[1];
        LiveSessions live = new LiveSessions(id -> Optional.ofNullable(sessions.get(id)), deviceId -> {
                    LiveSessions.DeviceView before = device(deviceId);
                    revoked.put("D1", true); // the revocation completes between the status read and caching
                    holder[0].deviceChanged("D1");
                    return before;
                }, id -> 0L, millis::get, 60_000, 1_000);
        holder[0] = live;
        assertFalse(live.snapshot("s1").orElseThrow().deviceRevoked(), "this read began before the revocation");
        assertTrue(live.snapshot("s1").orElseThrow().deviceRevoked(), "the next message must see it");
    }

    @Test
    void aSessionIsReadOnceWithinTheRecheckIntervalAndAgainAfterIt() {
        sessions.put("s1", session("s1", "D1", null));
        revoked.put("D1", false);
        LiveSessions live = live(1_000);
        for (int i = 0; i < 5; i++) {
            assertFalse(live.snapshot("s1").orElseThrow().deviceRevoked());
        }
        assertEquals(1, sessionReads.get());
        revoked.put("D1", true); // another instance revoked it: seen after the interval
        millis.addAndGet(999);
        assertFalse(live.snapshot("s1").orElseThrow().deviceRevoked());
        millis.addAndGet(1);
        assertTrue(live.snapshot("s1").orElseThrow().deviceRevoked());
        assertEquals(2, sessionReads.get());
    }

    @Test
    void aChangeMadeByThisInstanceIsSeenOnTheNextMessage() {
        sessions.put("s1", session("s1", "D1", null));
        sessions.put("s2", session("s2", "D2", null));
        revoked.put("D1", false);
        revoked.put("D2", false);
        LiveSessions live = live(60_000);
        live.snapshot("s1");
        live.snapshot("s2");
        sessions.put("s1", session("s1", "D1", SessionRecord.ENDED_BY_REVOCATION));
        revoked.put("D1", true);

        live.deviceChanged("D1");

        LiveSessions.Snapshot s1 = live.snapshot("s1").orElseThrow();
        assertTrue(s1.deviceRevoked());
        assertEquals(SessionRecord.ENDED_BY_REVOCATION, s1.session().endedReason());
        assertEquals(3, sessionReads.get(), "only the changed device's session is read again");
        live.snapshot("s2");
        assertEquals(3, sessionReads.get());
    }

    @Test
    void aReadThatOverlapsAChangeIsNotCached() {
        sessions.put("s1", session("s1", "D1", null));
        revoked.put("D1", false);
        LiveSessions live = live(60_000);
        duringSessionRead = () -> live.deviceChanged("D1"); // revocation lands while the read is in flight
        live.snapshot("s1");
        duringSessionRead = () -> { };
        live.snapshot("s1");
        assertEquals(2, sessionReads.get(), "the overlapped read must not be trusted for the next message");
        live.snapshot("s1");
        assertEquals(2, sessionReads.get());
    }

    @Test
    void theHighestStoredSeqIsReadOnceAndRaisedByOwnWritesOnly() {
        sessions.put("s1", session("s1", "D1", null));
        revoked.put("D1", false);
        highest.put("s1", 40L);
        LiveSessions live = live(0); // re-reading the session every message must not re-read the window
        live.snapshot("s1");
        assertEquals(40, live.highestStored("s1"));
        live.stored("s1", 45);
        live.stored("s1", 43); // a late, lower seq does not lower the window
        live.snapshot("s1");
        assertEquals(45, live.highestStored("s1"));
        assertEquals(1, highestReads.get());
    }

    @Test
    void aSessionAuthenticatedHereStartsWithAnEmptyWindowWithoutAskingTheStore() {
        sessions.put("s1", session("s1", "D1", null));
        sessions.put("s2", session("s2", "D1", null));
        revoked.put("D1", false);
        highest.put("s2", 7L);
        LiveSessions live = live(60_000);
        live.authenticated("s1");
        live.snapshot("s1");
        assertEquals(0, live.highestStored("s1"));
        assertEquals(0, highestReads.get(), "fresh: nothing can be stored yet");
        live.snapshot("s2");
        assertEquals(7, live.highestStored("s2"), "authenticated elsewhere (or before a restart): read once");
        assertEquals(1, highestReads.get());
    }

    @Test
    void aSessionOfKeysTheDeviceNoLongerHasIsBuiltOnReplacedKeys() {
        sessions.put("s1", session("s1", "D1", null));
        revoked.put("D1", false);
        LiveSessions live = live(0);
        assertFalse(live.snapshot("s1").orElseThrow().builtOnReplacedKeys());
        deviceKeys.put("D1", "0xdd"); // a rotation completed: the device's keys in force changed
        assertTrue(live.snapshot("s1").orElseThrow().builtOnReplacedKeys());
        revoked.remove("D1");
        assertFalse(live.snapshot("s1").orElseThrow().builtOnReplacedKeys(), "an unknown device has no keys to compare");
    }

    @Test
    void anUnknownOrForgottenSessionIsNotCached() {
        LiveSessions live = live(60_000);
        assertTrue(live.snapshot("nope").isEmpty());
        sessions.put("nope", session("nope", "D9", null));
        assertTrue(live.snapshot("nope").isPresent(), "a session created after a miss is found");
        live.forget("nope");
        live.snapshot("nope");
        assertEquals(3, sessionReads.get());
    }

    @Test
    void anUnknownDeviceCountsAsRevoked() {
        sessions.put("s1", session("s1", "GONE", null));
        assertTrue(live(1_000).snapshot("s1").orElseThrow().deviceRevoked());
    }
}
