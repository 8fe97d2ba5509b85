package org.iomtpq.gateway.tools;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CPU time the gateway's JVM spends, in total and per component, sampled every {@value #PERIOD_MILLIS} ms so that
 * any interval of the load run (handshakes, the telemetry window) can be read off afterwards. The gateway runs
 * on the embedded defaults in this JVM, so its broker and database are components too. Threads are grouped by
 * name; whatever the JVM spends outside Java threads (GC, JIT) is the process total minus the threads.
 * <p>
 * Why CPU time: the load generator shares the two cores, so wall-clock rates are a mix of both sides. CPU per
 * handshake or per message on the gateway side is what the gateway itself costs.
 */
final class GatewayCpuMeter implements AutoCloseable {

    static final int PERIOD_MILLIS = 200;
    static final String JVM_OTHER = "JVM outside Java threads (GC, JIT)";

    /** Component name → thread-name pattern, first match wins; the order is the report's order. */
    private static final Map<String, Pattern> COMPONENTS = new LinkedHashMap<>();

    static {
        COMPONENTS.put("embedded MongoDB (mongo-java-server + H2 MVStore)",
                Pattern.compile("(?i)mongo-server.*|.*serialization.*|MVStore.*|H2.*"));
        COMPONENTS.put("embedded MQTT broker (HiveMQ CE, Xodus persistence)",
                Pattern.compile("(?i).*hivemq.*|single-writer.*|.*xodus.*|.*exodus.*"));
        COMPONENTS.put("observation + audit writers (MongoDB driver)",
                Pattern.compile("observation-writer|audit-writer|cluster-.*|.*MaintenanceTimer.*"));
        COMPONENTS.put("Camel routes, protocol, crypto (MQTT ingest, HTTP, continuations)",
                Pattern.compile("(?i)Camel .*|telemetry-stored.*|MQTT .*|.*paho.*|.*netty.*|.*nioEventLoop.*"));
    }

    record Sample(long atMillis, long processCpuNanos, Map<String, Long> byComponent) {
    }

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    /** Highest CPU time seen per thread id, so a thread that ends keeps what it used up to the last sample. */
    private final Map<Long, Long> lastCpuByThread = new HashMap<>();
    private final Map<Long, String> componentByThread = new HashMap<>();
    private final List<Sample> samples = new ArrayList<>();
    private final Thread sampler;
    private volatile boolean stopped;

    GatewayCpuMeter() {
        sampler = new Thread(this::run, "bench-cpu-meter");
        sampler.setDaemon(true);
        sample();
        sampler.start();
    }

    private void run() {
        while (!stopped) {
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            sample();
        }
    }

    private synchronized void sample() {
        long[] ids = threads.getAllThreadIds();
        ThreadInfo[] infos = threads.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long cpu = threads.getThreadCpuTime(ids[i]);
            if (cpu < 0 || infos[i] == null) {
                continue;
            }
            lastCpuByThread.merge(ids[i], cpu, Math::max);
            componentByThread.putIfAbsent(ids[i], componentOf(infos[i].getThreadName()));
        }
        Map<String, Long> byComponent = new LinkedHashMap<>();
        COMPONENTS.keySet().forEach(c -> byComponent.put(c, 0L));
        byComponent.put("other Java threads", 0L);
        lastCpuByThread.forEach((id, cpu) -> byComponent.merge(componentByThread.get(id), cpu, Long::sum));
        samples.add(new Sample(System.currentTimeMillis(), os.getProcessCpuTime(), byComponent));
    }

    private static String componentOf(String threadName) {
        for (Map.Entry<String, Pattern> c : COMPONENTS.entrySet()) {
            if (c.getValue().matcher(threadName).matches()) {
                return c.getKey();
            }
        }
        return "other Java threads";
    }

    /**
     * CPU nanoseconds spent between two wall-clock instants (epoch ms), per component plus {@link #JVM_OTHER}
     * and "total", from the samples nearest to them (resolution {@value #PERIOD_MILLIS} ms).
     */
    synchronized Map<String, Long> between(long fromMillis, long toMillis) {
        Sample a = nearest(fromMillis);
        Sample b = nearest(toMillis);
        Map<String, Long> out = new LinkedHashMap<>();
        long javaThreads = 0;
        for (Map.Entry<String, Long> e : b.byComponent().entrySet()) {
            long d = e.getValue() - a.byComponent().getOrDefault(e.getKey(), 0L);
            out.put(e.getKey(), d);
            javaThreads += d;
        }
        long total = b.processCpuNanos() - a.processCpuNanos();
        out.put(JVM_OTHER, Math.max(0, total - javaThreads));
        out.put("total", total);
        return out;
    }

    /** Wall-clock length of the same interval as measured by the samples used. */
    synchronized double secondsBetween(long fromMillis, long toMillis) {
        return (nearest(toMillis).atMillis() - nearest(fromMillis).atMillis()) / 1000.0;
    }

    private Sample nearest(long atMillis) {
        Sample best = samples.get(0);
        for (Sample s : samples) {
            if (Math.abs(s.atMillis() - atMillis) < Math.abs(best.atMillis() - atMillis)) {
                best = s;
            }
        }
        return best;
    }

    @Override
    public void close() {
        stopped = true;
        sampler.interrupt();
        sample();
    }
}
