package org.iomtpq.gateway.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeviceLanesTest {

    private final CamelContext camel = new DefaultCamelContext();
    private DeviceLanes lanes;

    @AfterEach
    void close() {
        if (lanes != null) {
            lanes.close();
        }
    }

    private Exchange message(String deviceId, int n) {
        Exchange e = new DefaultExchange(camel);
        e.getMessage().setHeader("CamelMqttTopic", "iomt/v1/" + deviceId + "/up/telemetry");
        e.setProperty("n", n);
        return e;
    }

    @Test
    void eachDeviceKeepsItsOrderWhileDevicesRunInParallel() throws Exception {
        lanes = new DeviceLanes(4, 1000);
        int devices = 20;
        int perDevice = 200;
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        Map<String, String> threadOf = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(devices * perDevice);
        for (int n = 0; n < perDevice; n++) {
            for (int d = 0; d < devices; d++) {
                String device = "DEV_" + d;
                Exchange e = message(device, n);
                boolean sync = lanes.process(e, doneSync -> {
                    if (n0(e) % 7 == 0) {
                        Thread.yield(); // uneven work, as a real exchange has
                    }
                    seen.computeIfAbsent(device, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(n0(e));
                    threadOf.merge(device, Thread.currentThread().getName(), (a, b) -> a.equals(b) ? a : "MORE THAN ONE");
                    done.countDown();
                });
                assertFalse(sync, "continued on a lane, not on the caller");
            }
        }
        assertTrue(done.await(20, TimeUnit.SECONDS));
        for (int d = 0; d < devices; d++) {
            List<Integer> order = seen.get("DEV_" + d);
            for (int n = 0; n < perDevice; n++) {
                assertEquals(n, order.get(n), "DEV_" + d + " in delivery order");
            }
        }
        assertFalse(threadOf.containsValue("MORE THAN ONE"), "a device stays on one lane: " + threadOf);
        assertTrue(threadOf.values().stream().distinct().count() > 1, "devices are spread over lanes: " + threadOf);
    }

    @Test
    void aFullLaneHoldsTheCallerInsteadOfLettingMessagesOvertake() throws Exception {
        lanes = new DeviceLanes(1, 1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> order = java.util.Collections.synchronizedList(new ArrayList<>());
        lanes.process(message("A_DEVICE", 0), doneSync -> {
            awaitQuietly(release);
            order.add(0);
        });
        lanes.process(message("A_DEVICE", 1), doneSync -> order.add(1)); // queued: the lane's one slot
        Thread third = new Thread(() -> lanes.process(message("A_DEVICE", 2), doneSync -> order.add(2)));
        third.start();
        third.join(300);
        assertTrue(third.isAlive(), "the caller waits while the lane is full");
        release.countDown();
        third.join(5_000);
        long deadline = System.currentTimeMillis() + 5_000;
        while (order.size() < 3 && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(List.of(0, 1, 2), order);
    }

    @Test
    void theDeviceIsTheTopicsThirdSegment() {
        assertEquals("BP_1", DeviceLanes.deviceOf("iomt/v1/BP_1/up/telemetry"));
        assertEquals("", DeviceLanes.deviceOf("other/v1/BP_1/up/telemetry"));
        assertEquals("", DeviceLanes.deviceOf("iomt/v1/BP_1"));
        assertEquals("", DeviceLanes.deviceOf(null));
    }

    private static int n0(Exchange e) {
        return e.getProperty("n", Integer.class);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
