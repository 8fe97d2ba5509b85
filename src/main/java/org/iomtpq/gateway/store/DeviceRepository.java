package org.iomtpq.gateway.store;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.Binary;
import org.iomtpq.gateway.protocol.DeviceStatus;

/** {@code device_keys}: one document per device, {@code _id} = deviceId (validated by the codec before any query). */
public final class DeviceRepository {

    private final MongoCollection<Document> devices;
    private final java.util.List<java.util.function.Consumer<String>> revokeListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    public DeviceRepository(MongoDatabase db) {
        this.devices = db.getCollection(Collections.DEVICE_KEYS);
    }

    /**
     * Called with the device id after every {@link #revoke} attempt, whether it changed the record, found it revoked
     * already (by another instance) or failed: caches of device status drop the device, before anything else of the
     * revocation (sessions, outbox) is written, so an interrupted revocation still shuts the device out at once.
     */
    public void onRevoke(java.util.function.Consumer<String> listener) {
        revokeListeners.add(listener);
    }

    public Optional<DeviceRecord> find(String deviceId) {
        return Optional.ofNullable(devices.find(eq("_id", deviceId)).first()).map(DeviceRepository::fromDocument);
    }

    /** Inserts a first enrollment; false if a record with this id appeared meanwhile (a concurrent enrollment). */
    public boolean insert(DeviceRecord record) {
        try {
            devices.insertOne(toDocument(record));
            return true;
        } catch (com.mongodb.MongoWriteException e) {
            if (e.getError().getCode() == 11000) {
                return false;
            }
            throw e;
        }
    }

    /** Replaces a REVOKED or REGISTRATION_FAILED record, only if it is still in {@code expectedStatus}. */
    public boolean replace(DeviceStatus expectedStatus, DeviceRecord record) {
        return devices.replaceOne(and(eq("_id", record.deviceId()), eq("status", expectedStatus.name())),
                toDocument(record)).getModifiedCount() == 1;
    }

    /** Marks a device REVOKED if it holds keys; returns the record after the change, or empty if nothing changed. */
    public Optional<DeviceRecord> revoke(String deviceId, String reason, Instant now) {
        return revokeWhere(eq("_id", deviceId), deviceId, reason, now);
    }

    /**
     * Like {@link #revoke}, but only while the record is still the enrollment {@code enrollMessageHash} made: a
     * revocation decided on one enrollment never lands on the device's next one (a re-enrollment with new keys).
     */
    public Optional<DeviceRecord> revokeEnrollment(String deviceId, String enrollMessageHash, String reason, Instant now) {
        return revokeWhere(and(eq("_id", deviceId), eq("enrollMessageHash", enrollMessageHash)), deviceId, reason, now);
    }

    private Optional<DeviceRecord> revokeWhere(Bson record, String deviceId, String reason, Instant now) {
        try {
            return revokeOnce(record, reason, now);
        } finally {
            revokeListeners.forEach(l -> l.accept(deviceId));
        }
    }

    private Optional<DeviceRecord> revokeOnce(Bson record, String reason, Instant now) {
        Document after = devices.findOneAndUpdate(
                and(record, in("status", DeviceStatus.PENDING_CHAIN.name(), DeviceStatus.ACTIVE.name())),
                Updates.combine(Updates.set("status", DeviceStatus.REVOKED.name()),
                        Updates.set("pendingKeyCommitment", null),
                        Updates.set("revokedAt", Date.from(now)),
                        Updates.set("revocationReason", reason),
                        Updates.set("updatedAt", Date.from(now))),
                new com.mongodb.client.model.FindOneAndUpdateOptions()
                        .returnDocument(com.mongodb.client.model.ReturnDocument.AFTER));
        return Optional.ofNullable(after).map(DeviceRepository::fromDocument);
    }

    /**
     * Switches an ACTIVE device to new keys, only if its commitment is still {@code currentCommitment}
     * (two concurrent rotations cannot both win).
     */
    public boolean rotate(String deviceId, String currentCommitment, byte[] newKem, byte[] newSig, String newCommitment,
                          List<String> newKeyHashes, String rotateMessageHash, Instant now) {
        return devices.updateOne(
                and(eq("_id", deviceId), eq("status", DeviceStatus.ACTIVE.name()), eq("keyCommitment", currentCommitment)),
                Updates.combine(Updates.set("kemPublicKey", new Binary(newKem)),
                        Updates.set("sigPublicKey", new Binary(newSig)),
                        Updates.set("keyCommitment", newCommitment),
                        Updates.set("pendingKeyCommitment", null),
                        Updates.set("rotateMessageHash", rotateMessageHash),
                        Updates.set("updatedAt", Date.from(now)),
                        Updates.addEachToSet("keyHistory", newKeyHashes))).getModifiedCount() == 1;
    }

    public Optional<DeviceRecord> findByDeviceIdHash(String deviceIdHash) {
        return Optional.ofNullable(devices.find(eq("deviceIdHash", deviceIdHash)).first()).map(DeviceRepository::fromDocument);
    }

    /** PENDING_CHAIN → ACTIVE once the registration of exactly this commitment is on chain. */
    public boolean activate(String deviceId, String commitment, Instant now) {
        return devices.updateOne(
                and(eq("_id", deviceId), eq("status", DeviceStatus.PENDING_CHAIN.name()), eq("keyCommitment", commitment)),
                Updates.combine(Updates.set("status", DeviceStatus.ACTIVE.name()), Updates.set("updatedAt", Date.from(now))))
                .getModifiedCount() == 1;
    }

    /** PENDING_CHAIN → REGISTRATION_FAILED: the registration of this commitment reverted. */
    public boolean registrationFailed(String deviceId, String commitment, Instant now) {
        return devices.updateOne(
                and(eq("_id", deviceId), eq("status", DeviceStatus.PENDING_CHAIN.name()), eq("keyCommitment", commitment)),
                Updates.combine(Updates.set("status", DeviceStatus.REGISTRATION_FAILED.name()), Updates.set("updatedAt", Date.from(now))))
                .getModifiedCount() == 1;
    }

    /** Records the transaction that registers (or rotates to) {@code commitment}, once it is signed. */
    public void setTxHash(String deviceId, String commitment, String txHash) {
        devices.updateOne(and(eq("_id", deviceId),
                        com.mongodb.client.model.Filters.or(eq("keyCommitment", commitment), eq("pendingKeyCommitment", commitment))),
                Updates.set("txHash", txHash));
    }

    /**
     * Records the transaction that deactivates {@code keyCommitment}, while the record still stands on it: the device
     * may be enrolled again with new keys before the deactivation of its old ones is signed or seen.
     */
    public void setRevocationTxHash(String deviceId, String keyCommitment, String txHash) {
        devices.updateOne(and(eq("_id", deviceId), eq("keyCommitment", keyCommitment)), Updates.set("revocationTxHash", txHash));
    }

    /**
     * Chain mode: an ACTIVE device with no pending rotation gains {@code pendingKeyCommitment}; its keys stay in force
     * until the rotation is mined. The new keys are burnt from now on whatever happens.
     */
    public boolean beginRotation(String deviceId, String currentCommitment, String newCommitment, List<String> newKeyHashes,
                                 String rotateMessageHash, Instant now) {
        return devices.updateOne(
                and(eq("_id", deviceId), eq("status", DeviceStatus.ACTIVE.name()), eq("keyCommitment", currentCommitment),
                        eq("pendingKeyCommitment", null)),
                Updates.combine(Updates.set("pendingKeyCommitment", newCommitment),
                        Updates.set("rotateMessageHash", rotateMessageHash),
                        Updates.set("updatedAt", Date.from(now)),
                        Updates.addEachToSet("keyHistory", newKeyHashes))).getModifiedCount() == 1;
    }

    /** The rotation to {@code newCommitment} is on chain: switch to the new keys. */
    public boolean completeRotation(String deviceId, String newCommitment, byte[] newKem, byte[] newSig, Instant now) {
        return devices.updateOne(
                and(eq("_id", deviceId), eq("status", DeviceStatus.ACTIVE.name()), eq("pendingKeyCommitment", newCommitment)),
                Updates.combine(Updates.set("kemPublicKey", new Binary(newKem)),
                        Updates.set("sigPublicKey", new Binary(newSig)),
                        Updates.set("keyCommitment", newCommitment),
                        Updates.set("pendingKeyCommitment", null),
                        Updates.set("updatedAt", Date.from(now)))).getModifiedCount() == 1;
    }

    /** The rotation reverted (or the device was revoked first): the current keys stay, nothing is pending. */
    public boolean abandonRotation(String deviceId, String newCommitment, Instant now) {
        return devices.updateOne(and(eq("_id", deviceId), eq("pendingKeyCommitment", newCommitment)),
                Updates.combine(Updates.set("pendingKeyCommitment", null), Updates.set("updatedAt", Date.from(now))))
                .getModifiedCount() == 1;
    }

    public List<DeviceRecord> list(int limit, int offset) {
        List<DeviceRecord> out = new ArrayList<>();
        devices.find().sort(Sorts.ascending("_id")).skip(offset).limit(limit)
                .forEach(d -> out.add(fromDocument(d)));
        return out;
    }

    public long count() {
        return devices.countDocuments();
    }

    public long countByStatus(DeviceStatus status) {
        return devices.countDocuments(eq("status", status.name()));
    }

    static Document toDocument(DeviceRecord r) {
        return new Document("_id", r.deviceId())
                .append("deviceType", r.deviceType())
                .append("status", r.status().name())
                .append("kemPublicKey", new Binary(r.kemPublicKey()))
                .append("sigPublicKey", new Binary(r.sigPublicKey()))
                .append("deviceIdHash", r.deviceIdHash())
                .append("keyCommitment", r.keyCommitment())
                .append("pendingKeyCommitment", r.pendingKeyCommitment())
                .append("txHash", r.txHash())
                .append("revocationTxHash", r.revocationTxHash())
                .append("enrolledVia", r.enrolledVia())
                .append("enrolledAt", date(r.enrolledAt()))
                .append("updatedAt", date(r.updatedAt()))
                .append("revokedAt", date(r.revokedAt()))
                .append("revocationReason", r.revocationReason())
                .append("enrollMessageHash", r.enrollMessageHash())
                .append("rotateMessageHash", r.rotateMessageHash())
                .append("keyHistory", r.keyHistory());
    }

    static DeviceRecord fromDocument(Document d) {
        return new DeviceRecord(d.getString("_id"), d.getString("deviceType"), DeviceStatus.valueOf(d.getString("status")),
                d.get("kemPublicKey", Binary.class).getData(), d.get("sigPublicKey", Binary.class).getData(),
                d.getString("deviceIdHash"), d.getString("keyCommitment"), d.getString("pendingKeyCommitment"),
                d.getString("txHash"), d.getString("revocationTxHash"), d.getString("enrolledVia"),
                instant(d.getDate("enrolledAt")), instant(d.getDate("updatedAt")), instant(d.getDate("revokedAt")),
                d.getString("revocationReason"), d.getString("enrollMessageHash"), d.getString("rotateMessageHash"),
                d.getList("keyHistory", String.class, List.of()));
    }

    private static Date date(Instant i) {
        return i == null ? null : Date.from(i);
    }

    private static Instant instant(Date d) {
        return d == null ? null : d.toInstant();
    }
}
