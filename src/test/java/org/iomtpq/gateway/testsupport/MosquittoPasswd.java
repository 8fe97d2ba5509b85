package org.iomtpq.gateway.testsupport;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Mosquitto's own {@code mosquitto_passwd} (in the mosquitto package), for password files as an operator makes them. */
public final class MosquittoPasswd {

    public static final Path TOOL = Path.of("/usr/bin/mosquitto_passwd");

    private MosquittoPasswd() {
    }

    /** Adds (or replaces) {@code user}; creates the file when it does not exist. */
    public static void add(Path file, String user, String password) throws Exception {
        List<String> command = new ArrayList<>(List.of(tool(), "-b"));
        if (!Files.exists(file)) {
            command.add(1, "-c");
        }
        command.addAll(List.of(file.toString(), user, password));
        run(command);
    }

    /** Takes {@code user} out of the file. */
    public static void remove(Path file, String user) throws Exception {
        run(List.of(tool(), "-D", file.toString(), user));
    }

    private static String tool() {
        if (!Files.isExecutable(TOOL)) {
            throw new IllegalStateException(TOOL + " missing (it ships in the mosquitto package)");
        }
        return TOOL.toString();
    }

    private static void run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("mosquitto_passwd failed: " + output);
        }
    }
}
