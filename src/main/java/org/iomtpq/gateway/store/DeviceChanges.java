package org.iomtpq.gateway.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.PushOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import org.bson.Document;

/**
 * {@code device_changes}: a feed of the devices whose sessions or status an instance changed (revocation, a rotation
 * that ended sessions, a chain event), so that every instance sharing the database drops what it cached about them.
 * One document, read by {@code _id} once a second by each instance, instead of every cached session being read again
 * every second (two reads per live session per second, whatever the rate of changes). It holds the number of changes
 * ever announced and the last {@value #KEPT} devices, in order, both set by one update: a reader that saw
 * {@code count} n knows exactly which devices changed since, unless more than {@value #KEPT} did (then it drops
 * everything). MongoDB would offer change streams; the embedded server does not, and this costs one read a second.
 */
public final class DeviceChanges {

    static final String ID = "devices";
    static final int KEPT = 1_000;

    /** What changed after {@code seen}: {@code complete} false when more changed than the feed keeps. */
    public record Since(long count, List<String> devices, boolean complete) {
    }

    private final MongoCollection<Document> feed;
    private final MongoCollection<Document> readers;

    public DeviceChanges(MongoDatabase db) {
        this.feed = db.getCollection(Collections.DEVICE_CHANGES);
        this.readers = db.getCollection(Collections.DEVICE_CHANGE_READERS);
    }

    /** After the change is stored: the others read the device again from then on. Returns the feed's count after it. */
    public long announce(String deviceId) {
        Document after = feed.findOneAndUpdate(new Document("_id", ID), Updates.combine(Updates.inc("count", 1L),
                        Updates.pushEach("recent", List.of(deviceId), new PushOptions().slice(-KEPT))),
                new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER)
                        .projection(Projections.include("count")));
        return ((Number) after.get("count")).longValue();
    }

    /** A reader (an instance, by its audit stream) has applied every change up to {@code seen}; {@code now}: it lives. */
    public void markSeen(String reader, long seen, Instant now) {
        readers.updateOne(new Document("_id", reader), Updates.combine(Updates.max("seen", seen),
                Updates.set("at", Date.from(now))), new UpdateOptions().upsert(true));
    }

    /** A reader stopped cleanly: it is no longer waited for. */
    public void forget(String reader) {
        readers.deleteOne(new Document("_id", reader));
    }

    /**
     * Readers that marked themselves alive at or after {@code aliveSince} and have not yet applied change
     * {@code count}, {@code except} this one. The collection holds one small document per instance ever started.
     */
    public List<String> behind(long count, Instant aliveSince, String except) {
        List<String> behind = new ArrayList<>();
        for (Document d : readers.find()) {
            String id = d.getString("_id");
            Date at = d.getDate("at");
            if (!id.equals(except) && at != null && !at.toInstant().isBefore(aliveSince)
                    && ((Number) d.get("seen")).longValue() < count) {
                behind.add(id);
            }
        }
        return behind;
    }

    public Since since(long seen) {
        Document d = feed.find(new Document("_id", ID)).first();
        if (d == null) {
            return new Since(0, List.of(), true);
        }
        long count = ((Number) d.get("count")).longValue();
        List<String> recent = d.getList("recent", String.class);
        long missed = count - seen;
        if (missed <= 0) {
            return new Since(count, List.of(), missed == 0); // fewer than seen: the feed was reset, drop everything
        }
        if (missed > recent.size()) {
            return new Since(count, recent, false);
        }
        return new Since(count, List.copyOf(recent.subList(recent.size() - (int) missed, recent.size())), true);
    }
}
