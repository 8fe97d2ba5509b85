package org.iomtpq.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The bash {@code ./iomt}: the commands it handles itself answer {@code --help}, an unknown command gets the usage on
 * stderr and exit 2 before anything is built, and its usage lists every command of the Java launcher. Only the
 * branches that run neither Maven nor Java.
 */
class IomtScriptTest {

    record Result(int exit, String out, String err) {
    }

    static Result script(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", "iomt"));
        command.addAll(List.of(args));
        Path stdout = Files.createTempFile("iomt-out", ".txt");
        Path stderr = Files.createTempFile("iomt-err", ".txt");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "./iomt " + String.join(" ", args) + " did not finish");
            return new Result(p.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8));
        } finally {
            Files.delete(stdout);
            Files.delete(stderr);
        }
    }

    @Test
    void testSbomAndBenchJmhAnswerHelpWithoutRunningMavenOrJmh() throws Exception {
        for (String[] args : new String[][] {{"test", "--help"}, {"test", "-Dtest=X", "-h"}}) {
            Result r = script(args);
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().startsWith("usage: ./iomt test [mvn args]\n"), r.out());
            assertEquals("", r.err());
        }
        Result sbom = script("sbom", "--help");
        assertEquals(0, sbom.exit(), sbom.err());
        assertTrue(sbom.out().startsWith("usage: ./iomt sbom\n"), sbom.out());
        Result sbomTypo = script("sbom", "--offline");
        assertEquals(2, sbomTypo.exit(), sbomTypo.err());
        assertTrue(sbomTypo.err().startsWith("iomt sbom: unknown argument --offline"), sbomTypo.err());
        Result jmh = script("bench-jmh", "--help");
        assertEquals(0, jmh.exit(), jmh.err());
        assertTrue(jmh.out().startsWith("usage: ./iomt bench-jmh [jmh args]\n"), jmh.out());
        Result fuzz = script("fuzz", "2", "--help");
        assertEquals(0, fuzz.exit(), fuzz.err());
        assertTrue(fuzz.out().startsWith("usage: ./iomt fuzz MINUTES [TARGET]\n"), fuzz.out());
    }

    @Test
    void fuzzRefusesBadArgumentsBeforeRunningMaven() throws Exception {
        for (String[] args : new String[][] {{"fuzz"}, {"fuzz", "0"}, {"fuzz", "two"}, {"fuzz", "1", "rawMessage", "x"}}) {
            Result r = script(args);
            assertEquals(2, r.exit(), String.join(" ", args));
            assertTrue(r.err().startsWith("iomt fuzz: expected MINUTES"), r.err());
        }
        Result unknown = script("fuzz", "1", "noSuchTarget");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().startsWith("iomt fuzz: unknown target 'noSuchTarget' (one of: rawMessage "), unknown.err());
    }

    @Test
    void anUnknownCommandGetsTheUsageOnStderrAndExitTwo() throws Exception {
        Result help = script("help");
        assertEquals(0, help.exit());
        assertEquals(help, script());
        Result unknown = script("simulat", "--devices", "3");
        assertEquals(2, unknown.exit());
        assertEquals("", unknown.out());
        assertEquals("iomt: unknown command 'simulat'\n" + help.out(), unknown.err());
    }

    @Test
    void theUsageListsEveryCommand() throws Exception {
        String usage = script("help").out();
        List<String> commands = new ArrayList<>(LauncherUsageTest.COMMANDS);
        commands.remove("bench-load"); // internal: what bench starts in its second JVM
        commands.addAll(List.of("test", "sbom", "fuzz", "bench-jmh", "help"));
        for (String command : commands) {
            assertTrue(usage.contains("\n  " + command + " ") || usage.contains("\n  " + command + "\n"), command);
        }
        assertTrue(usage.contains("./iomt <command> --help"), usage);
    }
}
