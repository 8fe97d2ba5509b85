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
 * name; the JVM's own threads (JIT compilers, GC) are read from /proc, the rest is the process total minus all that.
 * <p>
 * Why CPU time: the load generator shares the two cores, so wall-clock rates are a mix of both sides. CPU per
 * handshake or per message on the gateway side is what the gateway itself costs.
 */
final class GatewayCpuMeter implements AutoCloseable {

    static final int PERIOD_MILLIS = 200;
    static final String JIT = "JVM: JIT compiler threads";
    static final String GC = "JVM: garbage collector threads";
    static final String JVM_OTHER = "JVM: other native threads";

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
                Pattern.compile("(?i)Camel .*|continuation-.*|MQTT .*|.*paho.*|.*netty.*|.*nioEventLoop.*"));
    }

    /** Not part of the gateway's JVM or its "total": an external broker process, when the bench started one. */
    static final String EXTERNAL_BROKER = "external broker process (Mosquitto)";

    record Sample(long atMillis, long processCpuNanos, Map<String, Long> byComponent, long jitNanos, long gcNanos,
                  long externalNanos) {
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
    private final long externalPid;

    /** @param externalPid a broker process to meter beside the JVM, or -1 */
    GatewayCpuMeter(long externalPid) {
        this.externalPid = externalPid;
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
        long[] jvm = nativeJvmThreads();
        samples.add(new Sample(System.currentTimeMillis(), os.getProcessCpuTime(), byComponent, jvm[0], jvm[1],
                externalPid < 0 ? 0 : ticksToNanos(java.nio.file.Path.of("/proc/" + externalPid + "/stat"))));
    }

    /**
     * CPU of the JVM's own threads (not visible to ThreadMXBean), read from /proc on Linux: {JIT, GC} nanoseconds
     * at clock-tick resolution; zeros elsewhere, and then everything outside Java threads counts as "other".
     */
    private static long[] nativeJvmThreads() {
        long[] out = new long[2];
        java.nio.file.Path tasks = java.nio.file.Path.of("/proc/self/task");
        if (!java.nio.file.Files.isDirectory(tasks)) {
            return out;
        }
        try (var dirs = java.nio.file.Files.newDirectoryStream(tasks)) {
            for (java.nio.file.Path task : dirs) {
                try {
                    String comm = java.nio.file.Files.readString(task.resolve("comm")).trim();
                    int kind = comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") ? 0
                            : comm.startsWith("GC Thread") || comm.startsWith("G1 ") ? 1 : -1;
                    if (kind < 0) {
                        continue;
                    }
                    out[kind] += ticksToNanos(task.resolve("stat"));
                } catch (java.io.IOException | RuntimeException e) {
                    // the thread ended meanwhile: its time is lost from this split (still in the process total)
                }
            }
        } catch (java.io.IOException e) {
            return out;
        }
        return out;
    }

    /** utime + stime of a /proc stat file, in ns (USER_HZ is 100 on Linux); 0 when unreadable (process gone). */
    private static long ticksToNanos(java.nio.file.Path stat) {
        try {
            String text = java.nio.file.Files.readString(stat);
            // fields after the ")" that closes comm: state is field 3, utime 14, stime 15
            String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
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
        long jit = Math.max(0, b.jitNanos() - a.jitNanos());
        long gc = Math.max(0, b.gcNanos() - a.gcNanos());
        out.put(JIT, jit);
        out.put(GC, gc);
        out.put(JVM_OTHER, Math.max(0, total - javaThreads - jit - gc));
        out.put("total", total);
        if (externalPid >= 0) {
            out.put(EXTERNAL_BROKER, Math.max(0, b.externalNanos() - a.externalNanos()));
        }
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
