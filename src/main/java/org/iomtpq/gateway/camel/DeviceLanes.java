package org.iomtpq.gateway.camel;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;

/**
 * Hands MQTT messages from Paho's single delivery thread to a fixed set of lanes, one thread each, a device always on
 * the same lane: devices are processed in parallel, each device's messages strictly in the order the broker delivered
 * them. Order matters for telemetry: the replay rule (§6, {@code seq > highest stored - 64}) refuses a message that
 * comes after later ones were stored, so a pool that lets a message overtake others of its device — a busy thread, a
 * storage retry, a caller-runs overflow — turns a backlog replayed after a restart into REPLAY answers for messages
 * the broker had accepted, i.e. lost vitals. A full lane blocks Paho's thread: back-pressure onto the broker.
 * Each task only continues the exchange; once it waits for its write, the lane takes the next message.
 */
public final class DeviceLanes extends AsyncProcessorSupport implements AutoCloseable {

    private final Lane[] lanes;

    /** @param lanes threads ({@code iomt.mqtt.consumer-threads}); @param queuePerLane messages waiting per lane */
    public DeviceLanes(int lanes, int queuePerLane) {
        if (lanes < 1 || queuePerLane < 1) {
            throw new IllegalArgumentException("iomt.mqtt.consumer-threads and the lane queue must be at least 1");
        }
        this.lanes = new Lane[lanes];
        for (int i = 0; i < lanes; i++) {
            this.lanes[i] = new Lane("mqtt-lane-" + (i + 1), queuePerLane);
        }
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        String topic = exchange.getMessage().getHeader("CamelMqttTopic", String.class);
        Lane lane = lanes[Math.floorMod(deviceOf(topic).hashCode(), lanes.length)];
        try {
            lane.queue.put(() -> callback.done(false));
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.setException(e);
            callback.done(true);
            return true;
        }
    }

    /** The {@code {deviceId}} of {@code iomt/v1/{deviceId}/up/{step}}; anything else shares one lane (it is refused). */
    static String deviceOf(String topic) {
        if (topic == null || !topic.startsWith("iomt/v1/")) {
            return "";
        }
        int end = topic.indexOf('/', "iomt/v1/".length());
        return end < 0 ? "" : topic.substring("iomt/v1/".length(), end);
    }

    /** After Camel has stopped (its in-flight exchanges, queued ones included, are done by then). */
    @Override
    public void close() {
        for (Lane lane : lanes) {
            lane.thread.interrupt();
        }
    }

    private static final class Lane {
        final BlockingQueue<Runnable> queue;
        final Thread thread;

        Lane(String name, int capacity) {
            queue = new ArrayBlockingQueue<>(capacity);
            thread = new Thread(this::run, name);
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    queue.take().run();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // the exchange carries its own failure; the lane must keep serving the other devices
                }
            }
        }
    }
}
