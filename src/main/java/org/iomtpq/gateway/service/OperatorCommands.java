package org.iomtpq.gateway.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.iomtpq.gateway.audit.AuditEvent;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.protocol.Identifiers;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.protocol.Timestamps;
import org.iomtpq.gateway.store.ApprovalRepository;

/** The write side of the operator API: approvals for MQTT enrollment and revocation (PROTOCOL.md §3, §7). */
public final class OperatorCommands {

    private static final int DEFAULT_TTL_SECONDS = 600;
    private static final int MAX_TTL_SECONDS = 86_400;

    private final ApprovalRepository approvals;
    private final RevocationService revocation;
    private final AuditTrail audit;
    private final Clock clock;
    private final DeviceChangeWatch otherInstances;
    private final Duration revocationWait;

    /**
     * @param otherInstances told of each revocation; the answer waits until every other live instance applied it
     * @param revocationWait at most this long ({@code iomt.telemetry.revocation-wait-ms}); zero: not at all
     */
    public OperatorCommands(ApprovalRepository approvals, RevocationService revocation, AuditTrail audit, Clock clock,
                            DeviceChangeWatch otherInstances, Duration revocationWait) {
        this.approvals = approvals;
        this.revocation = revocation;
        this.audit = audit;
        this.clock = clock;
        this.otherInstances = otherInstances;
        this.revocationWait = revocationWait;
    }

    public String approve(String deviceId, byte[] body) {
        Identifiers.requireDeviceId(deviceId);
        ObjectNode request = OperatorJson.optionalObject(body, Set.of("ttlSeconds", "keyCommitment"));
        int ttl = ttlSeconds(request.get("ttlSeconds"));
        String commitment = commitment(request.get("keyCommitment"));
        Instant now = clock.instant();
        Instant expiresAt = now.plusSeconds(ttl);
        approvals.put(deviceId, expiresAt, commitment, now);
        audit.record(AuditEvent.success("ENROLLMENT_APPROVED", deviceId,
                "MQTT enrollment approved for " + ttl + " s" + (commitment == null ? "" : ", bound to " + commitment)));
        Map<String, Object> m = OperatorJson.message("approval");
        m.put("deviceId", deviceId);
        m.put("expiresAt", Timestamps.format(expiresAt));
        m.put("keyCommitment", commitment);
        return OperatorJson.write(m);
    }

    public String revoke(String deviceId, byte[] body) {
        Identifiers.requireDeviceId(deviceId);
        ObjectNode request = OperatorJson.optionalObject(body, Set.of("reason"));
        JsonNode reason = request.get("reason");
        if (reason != null && !reason.isTextual()) {
            throw ProtocolException.malformed("reason must be a string");
        }
        String answer = OperatorJson.write(OperatorQueries.registrationJson(
                revocation.revoke(deviceId, reason == null ? null : reason.textValue())));
        awaitOtherInstances();
        return answer;
    }

    /** §7 "every session of the device ends at once": on every instance of the gateway, before the answer says so. */
    private void awaitOtherInstances() {
        if (revocationWait.isZero()) {
            return;
        }
        try {
            otherInstances.awaitOthers(revocationWait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopping: answer with what is stored
        }
    }

    private static int ttlSeconds(JsonNode node) {
        if (node == null) {
            return DEFAULT_TTL_SECONDS;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 1 || node.intValue() > MAX_TTL_SECONDS) {
            throw ProtocolException.malformed("ttlSeconds must be an integer from 1 to " + MAX_TTL_SECONDS);
        }
        return node.intValue();
    }

    private static String commitment(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || !Hex0x.isHash32(node.textValue())) {
            throw ProtocolException.malformed("keyCommitment must be 0x followed by 64 lowercase hex digits");
        }
        return node.textValue();
    }
}
