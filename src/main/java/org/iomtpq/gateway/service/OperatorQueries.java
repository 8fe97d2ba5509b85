package org.iomtpq.gateway.service;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bson.Document;
import org.iomtpq.gateway.audit.AuditEntry;
import org.iomtpq.gateway.protocol.Base64s;
import org.iomtpq.gateway.protocol.DeviceStatus;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.Identifiers;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.store.AuditRepository;
import org.iomtpq.gateway.store.DeviceRecord;
import org.iomtpq.gateway.store.DeviceRepository;
import org.iomtpq.gateway.store.ObservationRepository;
import org.iomtpq.gateway.store.SessionRepository;

/**
 * The read side of the operator API (PROTOCOL.md §3), in the seed system's vocabulary: device records and status,
 * audit listings, statistics, observations. Role checks happen in the routes before these run.
 */
public final class OperatorQueries {

    private final DeviceRepository devices;
    private final SessionRepository sessions;
    private final ObservationRepository observations;
    private final AuditRepository audit;
    private final String ownStream;
    private final Clock clock;

    public OperatorQueries(DeviceRepository devices, SessionRepository sessions, ObservationRepository observations,
                           AuditRepository audit, String ownStream, Clock clock) {
        this.devices = devices;
        this.sessions = sessions;
        this.observations = observations;
        this.audit = audit;
        this.ownStream = ownStream;
        this.clock = clock;
    }

    public String listDevices(String limit, String offset) {
        List<Map<String, Object>> out = new ArrayList<>();
        devices.list(QueryParams.intIn("limit", limit, 100, 1, 1000), QueryParams.intIn("offset", offset, 0, 0, Integer.MAX_VALUE))
                .forEach(d -> out.add(deviceJson(d)));
        Map<String, Object> m = OperatorJson.message("devices");
        m.put("total", devices.count());
        m.put("devices", out);
        return OperatorJson.write(m);
    }

    public String device(String deviceId) {
        Map<String, Object> m = OperatorJson.message("device");
        m.putAll(deviceJson(find(deviceId)));
        return OperatorJson.write(m);
    }

    /** Public: a device (or anyone) may follow its registration. */
    public String registration(String deviceId) {
        return OperatorJson.write(registrationJson(find(deviceId)));
    }

    public String status(String deviceId) {
        DeviceRecord d = find(deviceId);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("deviceId", d.deviceId());
        m.put("status", d.status().name());
        m.put("active", d.status() == DeviceStatus.ACTIVE);
        m.put("totalEvents", audit.countForDevice(deviceId));
        m.put("successfulAuths", audit.countForDevice(deviceId, "AUTHENTICATED"));
        m.put("failedAuths", audit.countForDevice(deviceId, "AUTH_FAILED"));
        String lastAudit = audit.lastTimestampForDevice(deviceId).orElse(null);
        String lastObservation = observations.lastReceivedAt(deviceId).orElse(null);
        m.put("lastActivity", later(lastAudit, lastObservation));
        return OperatorJson.write(m);
    }

    public String deviceAudit(String deviceId, String limit) {
        Identifiers.requireDeviceId(deviceId);
        return auditJson(null, audit.newestForDevice(deviceId, QueryParams.intIn("limit", limit, 100, 1, 1000)));
    }

    public String gatewayAudit(String gatewayId, String limit) {
        Identifiers.requireGatewayId(gatewayId);
        return auditJson(null, audit.newestForGateway(gatewayId, QueryParams.intIn("limit", limit, 100, 1, 1000)));
    }

    public String streamAudit(String stream, String fromSeq, String limit) {
        String s = stream == null || stream.isEmpty() ? ownStream : stream;
        long from = QueryParams.longIn("fromSeq", fromSeq, 1, 1, Long.MAX_VALUE);
        return auditJson(s, audit.stream(s, from, QueryParams.intIn("limit", limit, 1000, 1, 10000)));
    }

    public String stats() {
        Map<String, Object> m = new LinkedHashMap<>();
        List<String> gateways = audit.gateways();
        m.put("totalDevices", devices.count());
        m.put("activeDevices", devices.countByStatus(DeviceStatus.ACTIVE));
        m.put("totalEvents", audit.count());
        m.put("uniqueGateways", gateways.size());
        m.put("gatewayList", gateways);
        m.put("authenticatedSessions", sessions.countAuthenticated(clock.instant()));
        return OperatorJson.write(m);
    }

    public String observations(String deviceId, String limit) {
        find(deviceId);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Document o : observations.latestForDevice(deviceId, QueryParams.intIn("limit", limit, 100, 1, 1000))) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sessionId", o.getString("sessionId"));
            m.put("seq", ((Number) o.get("seq")).longValue());
            m.put("observedAt", o.getString("observedAt"));
            m.put("receivedAt", o.getString("receivedAt"));
            m.put("vitals", ObservationRepository.vitalsOf(o));
            m.put("quality", o.get("quality", Document.class));
            out.add(m);
        }
        Map<String, Object> m = OperatorJson.message("observations");
        m.put("deviceId", deviceId);
        m.put("observations", out);
        return OperatorJson.write(m);
    }

    DeviceRecord find(String deviceId) {
        Identifiers.requireDeviceId(deviceId);
        return devices.find(deviceId)
                .orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_DEVICE, "no device with this id is enrolled"));
    }

    static Map<String, Object> registrationJson(DeviceRecord d) {
        Map<String, Object> m = OperatorJson.message("registration");
        m.put("deviceId", d.deviceId());
        m.put("status", d.status().name());
        m.put("deviceIdHash", d.deviceIdHash());
        m.put("keyCommitment", d.keyCommitment());
        m.put("pendingKeyCommitment", d.pendingKeyCommitment());
        m.put("txHash", d.txHash());
        m.put("revocationTxHash", d.revocationTxHash());
        return m;
    }

    private static Map<String, Object> deviceJson(DeviceRecord d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("deviceId", d.deviceId());
        m.put("deviceType", d.deviceType());
        m.put("status", d.status().name());
        m.put("kemPublicKey", Base64s.encode(d.kemPublicKey()));
        m.put("sigPublicKey", Base64s.encode(d.sigPublicKey()));
        m.put("deviceIdHash", d.deviceIdHash());
        m.put("keyCommitment", d.keyCommitment());
        m.put("pendingKeyCommitment", d.pendingKeyCommitment());
        m.put("txHash", d.txHash());
        m.put("revocationTxHash", d.revocationTxHash());
        m.put("enrolledVia", d.enrolledVia());
        m.put("enrolledAt", text(d.enrolledAt()));
        m.put("updatedAt", text(d.updatedAt()));
        m.put("revokedAt", text(d.revokedAt()));
        m.put("revocationReason", d.revocationReason());
        return m;
    }

    private static String auditJson(String stream, List<AuditEntry> entries) {
        Map<String, Object> m = OperatorJson.message("audit");
        if (stream != null) {
            m.put("stream", stream);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (AuditEntry e : entries) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("stream", e.stream());
            x.put("seq", e.seq());
            x.put("prevHash", e.prevHash());
            x.put("hash", e.hash());
            x.put("eventType", e.eventType());
            x.put("deviceId", e.deviceId());
            x.put("gatewayId", e.gatewayId());
            x.put("timestamp", e.timestamp());
            x.put("status", e.status().name());
            x.put("message", e.message());
            out.add(x);
        }
        m.put("entries", out);
        return OperatorJson.write(m);
    }

    private static String text(java.time.Instant i) {
        return i == null ? null : org.iomtpq.gateway.protocol.Timestamps.format(i);
    }

    private static String later(String a, String b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return org.iomtpq.gateway.protocol.Timestamps.parse(a).isAfter(org.iomtpq.gateway.protocol.Timestamps.parse(b)) ? a : b;
    }
}
