package org.iomtpq.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import org.iomtpq.gateway.embedded.EmbeddedMongo;
import org.iomtpq.gateway.protocol.DeviceStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Telemetry caches a device's status; every revocation attempt must reach them, whatever its outcome. A revocation
 * decided on one enrollment never lands on the next.
 */
class DeviceRepositoryRevokeTest {

    private final EmbeddedMongo mongo = EmbeddedMongo.startInMemory();
    private final MongoClient client = MongoClients.create(mongo.connectionString());
    private final DeviceRepository devices = new DeviceRepository(client.getDatabase("iomt"));
    private final List<String> told = new ArrayList<>();

    @AfterEach
    void stop() {
        client.close();
        mongo.close();
    }

    private static DeviceRecord active(String id) {
        Instant t = Instant.parse("2026-11-23T20:00:00Z");
        return new DeviceRecord(id, "bp-monitor", DeviceStatus.ACTIVE, new byte[1184], new byte[1952], "0xh", "0xc",
                null, null, null, "http", t, t, null, null, "m", null, List.of());
    }

    @Test
    void listenersHearOfEveryRevocationAttempt() {
        devices.onRevoke(told::add);
        devices.insert(active("BP_MONITOR_001"));

        assertTrue(devices.revoke("BP_MONITOR_001", "stolen", Instant.now()).isPresent());
        assertTrue(devices.revoke("BP_MONITOR_001", "again", Instant.now()).isEmpty(), "already revoked: no change");
        assertEquals(List.of("BP_MONITOR_001", "BP_MONITOR_001"), told);
        assertEquals(DeviceStatus.REVOKED, devices.find("BP_MONITOR_001").orElseThrow().status());

        client.close(); // the store fails mid-revocation: the caches must drop the device all the same
        assertThrows(RuntimeException.class, () -> devices.revoke("BP_MONITOR_001", "x", Instant.now()));
        assertEquals(3, told.size());
    }

    @Test
    void aRevocationDecidedOnOneEnrollmentLeavesTheNextAlone() {
        devices.onRevoke(told::add);
        devices.insert(active("BP_MONITOR_001")); // made by the enroll message of hash "m"

        assertTrue(devices.revokeEnrollment("BP_MONITOR_001", "m-before", "old key deactivated", Instant.now()).isEmpty());
        assertEquals(DeviceStatus.ACTIVE, devices.find("BP_MONITOR_001").orElseThrow().status());
        assertEquals(List.of("BP_MONITOR_001"), told, "caches drop the device all the same");

        assertTrue(devices.revokeEnrollment("BP_MONITOR_001", "m", "its key deactivated", Instant.now()).isPresent());
        assertEquals(DeviceStatus.REVOKED, devices.find("BP_MONITOR_001").orElseThrow().status());
    }
}
