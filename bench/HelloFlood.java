import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.iomtpq.gateway.crypto.MlKemKeyPair;
import org.iomtpq.gateway.protocol.DeviceHandshake;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.MessageCodec;

/**
 * A flood of bad hellos (another gateway's id: refused after parsing, before any key work) from one address, with
 * the gateway process's CPU (from /proc) per request. Run by bench/hello-flood.sh; args: API base URL, gateway pid,
 * warm-up count, measured count.
 */
public class HelloFlood {
    public static void main(String[] args) throws Exception {
        String api = args[0];
        long pid = Long.parseLong(args[1]);
        int warmup = Integer.parseInt(args[2]);
        int measured = Integer.parseInt(args[3]);
        SecureRandom random = new SecureRandom();
        DeviceIdentity template = DeviceIdentity.generate("FLOOD_000000", "bp-monitor", random);
        String hello = MessageCodec.toJson(DeviceHandshake.start(template, "not-this-gateway",
                MlKemKeyPair.generate(random).publicKey(), random).hello());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        flood(http, api, hello, warmup);
        long cpuBefore = cpuTicks(pid);
        long started = System.nanoTime();
        Map<Integer, AtomicInteger> statuses = flood(http, api, hello, measured);
        double seconds = (System.nanoTime() - started) / 1e9;
        long ticks = cpuTicks(pid) - cpuBefore;
        double cpuMicros = ticks * 10_000.0; // USER_HZ 100: one tick is 10 ms
        System.out.printf("measured %d requests in %.1f s (%.0f/s), statuses %s, gateway CPU %.0f us per request%n",
                measured, seconds, measured / seconds, new TreeMap<>(statuses), cpuMicros / measured);
    }

    private static Map<Integer, AtomicInteger> flood(HttpClient http, String api, String hello, int count) throws Exception {
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int i = 0; i < count; i++) {
            String body = hello.replace("FLOOD_000000", String.format("FLOOD_%06d", i % 1_000_000));
            pool.submit(() -> {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(api + "/handshake/hello"))
                        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.discarding());
                statuses.computeIfAbsent(r.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.MINUTES);
        return statuses;
    }

    /** utime + stime of the process, in clock ticks (proc(5)). */
    private static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
