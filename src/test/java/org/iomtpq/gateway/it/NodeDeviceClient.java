package org.iomtpq.gateway.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.iomtpq.gateway.testsupport.SystemPackages;

/**
 * Runs the independent Node.js device client (interop/node-device/client.mjs) as a process and reads its report: one
 * {@code PASS name — detail} or {@code FAIL name — detail} line per check, exit code 1 if any check failed.
 */
public final class NodeDeviceClient {

    public static final Path CLIENT_DIR = Path.of("interop", "node-device");
    private static final Pattern FAILED_CHECK = Pattern.compile("^FAIL (.*?)(?: — .*)?$", Pattern.MULTILINE);

    /** What one run of the client left: whether it ended in time, its exit code and everything it printed. */
    public record Run(boolean finished, int exitCode, String output) {

        /** The client's summary line and every FAIL, NOTE and INFO line: what a reader of the build log needs. */
        public String digest() {
            return output.lines().filter(l -> l.startsWith("FAIL ") || l.startsWith("NOTE ") || l.startsWith("INFO ")
                    || l.startsWith("==== ")).collect(java.util.stream.Collectors.joining("\n"));
        }

        /** The names of the checks that failed, in order, each once. */
        public Set<String> failedChecks() {
            Set<String> names = new LinkedHashSet<>();
            Matcher m = FAILED_CHECK.matcher(output);
            while (m.find()) {
                names.add(m.group(1));
            }
            return names;
        }
    }

    private NodeDeviceClient() {
    }

    /** Skips (or, where system packages are required, fails) the calling test when the client's node_modules are missing. */
    public static void requireOrSkip() {
        SystemPackages.requireOrSkip(Files.isDirectory(CLIENT_DIR.resolve("node_modules")) ? null
                : CLIENT_DIR.resolve("node_modules") + " missing: run npm ci --prefix " + CLIENT_DIR);
    }

    /** Runs {@code node client.mjs args…}, its output to {@code log} (read back afterwards), killed after {@code timeout}. */
    public static Run run(List<String> args, Path log, Duration timeout) throws IOException, InterruptedException {
        return run(args, log, timeout, Map.of());
    }

    /** As above with more environment, e.g. NODE_EXTRA_CA_CERTS for a gateway whose certificate a private CA signed. */
    public static Run run(List<String> args, Path log, Duration timeout, Map<String, String> environment)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("node", "client.mjs"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(CLIENT_DIR.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process client = builder.start();
        boolean finished = client.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            client.destroyForcibly().waitFor();
        }
        String output = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        return new Run(finished, finished ? client.exitValue() : -1, output);
    }
}
