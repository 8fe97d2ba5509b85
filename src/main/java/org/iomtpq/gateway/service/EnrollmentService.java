package org.iomtpq.gateway.service;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.iomtpq.gateway.audit.AuditEvent;
import org.iomtpq.gateway.protocol.EnrollMessage;
import org.iomtpq.gateway.protocol.EnrolledMessage;
import org.iomtpq.gateway.protocol.EnrollmentVerifier;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.protocol.SignedPayloads;
import org.iomtpq.gateway.store.ApprovalRepository;
import org.iomtpq.gateway.store.DeviceRecord;
import org.iomtpq.gateway.store.DeviceRepository;
import org.iomtpq.gateway.store.OutboxEntry;
import org.iomtpq.gateway.store.OutboxRepository;

/**
 * Enrollment (PROTOCOL.md §4): checks in the spec's order, then the stored record decides between a new
 * enrollment, an idempotent repeat and {@code ALREADY_ENROLLED}. Over MQTT an operator approval is required and
 * consumed; over HTTP the operator token (checked by the route) is the approval.
 */
public final class EnrollmentService {

    /**
     * What the transport needs to answer: the message, whether a record was created (HTTP 201 vs 200), and the outbox
     * entry whose transaction the answer may name once signed (null when nothing was submitted).
     */
    public record Outcome(EnrolledMessage enrolled, boolean created, String outboxEntryId) {
        Outcome(EnrolledMessage enrolled, boolean created) {
            this(enrolled, created, null);
        }
    }

    private final DeviceRepository devices;
    private final ApprovalRepository approvals;
    private final AuditTrail audit;
    private final RegistryMode registryMode;
    private final OutboxRepository outbox;
    private final Clock clock;

    public EnrollmentService(DeviceRepository devices, ApprovalRepository approvals, AuditTrail audit,
                             RegistryMode registryMode, OutboxRepository outbox, Clock clock) {
        this.devices = devices;
        this.approvals = approvals;
        this.audit = audit;
        this.registryMode = registryMode;
        this.outbox = outbox;
        this.clock = clock;
    }

    public Outcome enroll(byte[] raw, RequestContext ctx) {
        EnrollMessage m = MessageCodec.parseEnroll(raw);
        ctx.bodyDeviceId(m.deviceId());
        String messageHash = Digests.messageHash(raw);
        Optional<DeviceRecord> existing = devices.find(m.deviceId());
        if (ctx.identicalRepeatsAreRedeliveries() && existing.isPresent() && existing.get().status().holdsKeys()
                && messageHash.equals(existing.get().enrollMessageHash())) {
            return new Outcome(enrolled(existing.get()), false); // QoS 1 repeat: answered as the original was
        }
        Instant now = clock.instant();
        EnrollmentVerifier.verify(m, now); // stale timestamp, then keys, then the proof of possession
        String commitment = Hex0x.encode(SignedPayloads.keyCommitment(m.kemPublicKey(), m.sigPublicKey()));
        boolean sameKeysInForce = existing.isPresent() && existing.get().status().holdsKeys()
                && commitment.equals(existing.get().keyCommitment());
        // §4 puts the approval right after the signature: an unapproved publisher learns nothing about the record.
        // Re-enrolling the keys in force changes nothing and needs no new approval (§3).
        if (ctx.enrollmentNeedsApproval() && !sameKeysInForce && !approvals.isValid(m.deviceId(), commitment, now)) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "no unexpired operator approval for this device and key");
        }
        if (existing.isPresent()) {
            Optional<Outcome> repeat = againstExisting(existing.get(), m, commitment);
            if (repeat.isPresent()) {
                return repeat.get();
            }
        }
        DeviceRecord record = newRecord(m, commitment, messageHash, existing, ctx, now);
        String registration = null;
        if (registryMode == RegistryMode.CHAIN) {
            // First the outbox, then the record: the relay drops an operation whose record never appeared.
            OutboxEntry entry = OutboxEntry.pending(OutboxEntry.Op.REGISTER, record.deviceId(), record.deviceIdHash(),
                    commitment, null, null, now);
            outbox.add(entry);
            registration = entry.id();
        }
        boolean stored = existing.isEmpty() ? devices.insert(record) : devices.replace(existing.get().status(), record);
        if (!stored) {
            // Another request changed the record between our read and write: decide against what is there now.
            DeviceRecord now2 = devices.find(m.deviceId()).orElseThrow(
                    () -> new ProtocolException(ErrorCode.UNAVAILABLE, "device record changed concurrently; retry"));
            return againstExisting(now2, m, commitment).orElseThrow(
                    () -> new ProtocolException(ErrorCode.UNAVAILABLE, "device record changed concurrently; retry"));
        }
        if (ctx.enrollmentNeedsApproval()) {
            approvals.consume(m.deviceId(), commitment, now);
        }
        audit.record(AuditEvent.success("DEVICE_ENROLLED", m.deviceId(),
                "enrolled via " + ctx.transport().wireName() + " as " + m.deviceType()
                        + ", status " + record.status() + ", registry " + registryMode.wireName()));
        return new Outcome(enrolled(record), true, registration);
    }

    /** Empty: the existing record may be replaced by this enrollment. */
    private Optional<Outcome> againstExisting(DeviceRecord existing, EnrollMessage m, String commitment) {
        switch (existing.status()) {
            case PENDING_CHAIN, ACTIVE -> {
                if (commitment.equals(existing.keyCommitment())) {
                    return Optional.of(new Outcome(enrolled(existing), false));
                }
                throw new ProtocolException(ErrorCode.ALREADY_ENROLLED, "device is enrolled with other keys; rotate them instead");
            }
            case REVOKED -> {
                if (existing.hadKey(Digests.keyHash(m.kemPublicKey())) || existing.hadKey(Digests.keyHash(m.sigPublicKey()))) {
                    throw ProtocolException.invalidKey("a revoked device may enroll again with new keys only");
                }
                return Optional.empty();
            }
            case REGISTRATION_FAILED -> {
                return Optional.empty();
            }
            default -> throw new IllegalStateException("unexpected status " + existing.status());
        }
    }

    private DeviceRecord newRecord(EnrollMessage m, String commitment, String messageHash, Optional<DeviceRecord> previous,
                                   RequestContext ctx, Instant now) {
        List<String> history = new ArrayList<>(previous.map(DeviceRecord::keyHistory).orElse(List.of()));
        history.add(Digests.keyHash(m.kemPublicKey()));
        history.add(Digests.keyHash(m.sigPublicKey()));
        return new DeviceRecord(m.deviceId(), m.deviceType(), registryMode.statusOfNewEnrollment(), m.kemPublicKey(),
                m.sigPublicKey(), Hex0x.encode(SignedPayloads.deviceIdHash(m.deviceId())), commitment, null, null, null,
                ctx.transport().wireName(), now, now, null, null, messageHash, null, history);
    }

    static EnrolledMessage enrolled(DeviceRecord r) {
        return new EnrolledMessage(r.deviceId(), r.status().name(), r.deviceIdHash(), r.keyCommitment(), r.txHash());
    }
}
