package org.iomtpq.gateway.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Device notifications produced off the chain routes — a rotation that a handshake found already mined and completed
 * ({@link CommitmentCheck}) — waiting to go out with the next relay round's own (routes/chain.camel.yaml publishes
 * them). Without it that rotation's second {@code rotation} ACTIVE (§5a) was never sent: the relay, collecting the
 * receipt later, found the rotation already complete and had nothing to say.
 */
public final class DeviceNotificationQueue {

    private final ConcurrentLinkedQueue<DeviceNotification> waiting = new ConcurrentLinkedQueue<>();

    public void add(List<DeviceNotification> notifications) {
        waiting.addAll(notifications);
    }

    /** Everything waiting, in the order added; the queue is then empty. */
    public List<DeviceNotification> drain() {
        List<DeviceNotification> out = new ArrayList<>();
        for (DeviceNotification n = waiting.poll(); n != null; n = waiting.poll()) {
            out.add(n);
        }
        return out;
    }
}
