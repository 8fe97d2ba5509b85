package org.iomtpq.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@code ./iomt} command the Java launcher runs, called the way people get it wrong: each mistake must be
 * answered with exactly one line on stderr naming the command and the option, exit 2, nothing on stdout and no
 * stack trace; {@code --help} with the command's usage on stdout and exit 0. None of these calls gets as far as
 * starting anything (no gateway, chain or network).
 */
class LauncherUsageTest {

    static final List<String> COMMANDS = List.of("demo", "gateway", "store", "simulate", "bench", "bench-load", "bench-enroll",
            "deploy-registry", "authorize-gateway", "gas-report", "verify-audit");

    @TempDir
    static Path dir;

    record Result(int exit, String out, String err) {
    }

    static Result launch(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Launcher.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** command, the mistaken arguments, a piece of the line that says what is wrong. */
    static Stream<Arguments> mistakes() {
        String missingDir = dir.resolve("no-such-dir").resolve("x.md").toString();
        List<Arguments> cases = new ArrayList<>();
        for (String command : COMMANDS) {
            cases.add(Arguments.of(command, new String[] {"--bogus", "1"}, "unknown option '--bogus'"));
            cases.add(Arguments.of(command, new String[] {"stray"}, "unexpected argument 'stray'"));
        }
        cases.addAll(List.of(
                Arguments.of("demo", new String[] {"--chain", "foo"}, "--chain expects anvil | ganache | none, got 'foo'"),
                Arguments.of("demo", new String[] {"--chain"}, "--chain needs a value"),
                Arguments.of("gateway", new String[] {"--port", "8080"}, "configured by IOMT_* environment variables"),
                Arguments.of("store", new String[] {"--port", "27017"}, "configured by IOMT_STORE_PORT"),
                Arguments.of("simulate", new String[] {"--devices", "x"}, "--devices expects a whole number >= 1, got 'x'"),
                Arguments.of("simulate", new String[] {"--devices", "0"}, "--devices expects a whole number >= 1, got '0'"),
                Arguments.of("simulate", new String[] {"--messages", "-1"}, "--messages expects a whole number >= 0"),
                Arguments.of("simulate", new String[] {"--transport", "smoke"}, "--transport expects http | mqtt | mixed"),
                Arguments.of("simulate", new String[] {"--http", "ftp://x"}, "--http expects an http:// or https:// URL"),
                Arguments.of("simulate", new String[] {"--http", "http://"}, "got 'http://'"),
                Arguments.of("simulate", new String[] {"--mqtt", "http://x:1883"}, "--mqtt expects an MQTT broker URL"),
                Arguments.of("simulate", new String[] {"--http"}, "--http needs a value"),
                Arguments.of("simulate", new String[] {"--prefix", "a/b"}, "--prefix expects"),
                Arguments.of("simulate", new String[] {"--devices", "3", "--devices", "4"}, "--devices is given twice"),
                Arguments.of("bench", new String[] {"--devices", "-3"}, "--devices expects a whole number >= 1, got '-3'"),
                Arguments.of("bench", new String[] {"--transport", "tcp"}, "--transport expects http | mqtt | both"),
                Arguments.of("bench", new String[] {"--compare", "maybe"}, "--compare expects yes | no"),
                Arguments.of("bench", new String[] {"--json", missingDir}, "--json expects a file in an existing directory"),
                Arguments.of("bench", new String[] {"--store", "memory"}, "--store memory needs --compare no"),
                Arguments.of("bench", new String[] {"--soak", "0"}, "--soak expects a whole number >= 1"),
                Arguments.of("bench", new String[] {"--soak", "2", "--transport", "http"}, "--soak runs over MQTT only"),
                Arguments.of("bench", new String[] {"--growth-sizes", "x"}, "--growth-sizes expects comma-separated"),
                Arguments.of("bench", new String[] {"--seconds"}, "--seconds needs a value"),
                Arguments.of("bench-load", new String[] {"--http", "ftp://x"}, "--http expects an http:// or https:// URL"),
                Arguments.of("bench-load", new String[] {"--mode", "FOO"}, "--mode expects GATEWAY | BARE_BROKER | SOAK"),
                Arguments.of("bench-load", new String[] {"--devices", "2"}, "--http is required"),
                Arguments.of("bench-enroll", new String[] {"--block-time", "abc"}, "--block-time expects a whole number"),
                Arguments.of("bench-enroll", new String[] {"--threads", "0"}, "--threads expects a whole number >= 1"),
                Arguments.of("deploy-registry", new String[] {"--authorize", "nonsense"},
                        "--authorize expects a gateway's account and the keccak256 of its ML-KEM key"),
                Arguments.of("deploy-registry", new String[] {"--authorize"}, "--authorize needs a value"),
                Arguments.of("authorize-gateway", new String[] {"--authorize", "nonsense"},
                        "--authorize expects a gateway's account and the keccak256 of its ML-KEM key"),
                Arguments.of("gas-report", new String[] {"--out", missingDir}, "--out expects a file in an existing directory"),
                Arguments.of("gas-report", new String[] {"--out"}, "--out needs a value"),
                Arguments.of("verify-audit", new String[] {"--mongo", "notauri"}, "--mongo expects a MongoDB connection"),
                Arguments.of("verify-audit", new String[] {"--api", "ftp://x"}, "--api expects an http:// or https:// URL"),
                Arguments.of("verify-audit", new String[] {"--rpc", "localhost:8545"}, "--rpc expects an http://"),
                Arguments.of("verify-audit", new String[] {"--registry", "0x12"}, "--registry expects 0x followed by 40"),
                Arguments.of("verify-audit", new String[] {"--mongo", "mongodb://h", "--api", "http://h"},
                        "give either --mongo or --api, not both")));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("mistakes")
    void aMistakeIsOneLineAndExitTwo(String command, String[] args, String saying) {
        String[] full = Stream.concat(Stream.of(command), Stream.of(args)).toArray(String[]::new);
        Result r = launch(full);
        assertEquals(2, r.exit(), r.err());
        assertEquals("", r.out());
        assertNoStackTrace(r);
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), r.err());
        String line = lines.get(0);
        assertTrue(line.startsWith("iomt " + command + ": "), line);
        assertTrue(line.contains(saying), line);
        assertTrue(line.endsWith(" (see ./iomt " + command + " --help)"), line);
    }

    static Stream<String> commands() {
        return COMMANDS.stream();
    }

    @ParameterizedTest
    @MethodSource("commands")
    void helpIsTheCommandsUsageOnStdout(String command) {
        for (String[] args : new String[][] {{command, "--help"}, {command, "-h"}, {command, "--bogus", "--help"}}) {
            Result r = launch(args);
            assertEquals(0, r.exit(), r.err());
            assertEquals("", r.err());
            assertTrue(r.out().startsWith("usage: ./iomt " + command), r.out());
            assertNoStackTrace(r);
        }
    }

    @Test
    void theLaunchersUsageListsEveryCommandButTheInternalOne() {
        String usage = launch("help").out();
        for (String command : COMMANDS) {
            assertEquals(!command.equals("bench-load"), usage.contains("\n  " + command + " "), command);
        }
    }

    @Test
    void simulateOptionsAreDescribedWithTheUrlFormsAccepted() {
        String usage = launch("simulate", "--help").out();
        for (String option : new String[] {"--devices N", "--transport T", "--messages M", "--interval-ms MS", "--http URL",
                "--mqtt URL", "--prefix P"}) {
            assertTrue(usage.contains("  " + option + " "), option);
        }
        assertTrue(usage.contains("with or without /api/v1"), usage);
        assertTrue(usage.contains("IOMT_OPERATOR_TOKEN"), usage);
    }

    @Test
    void helpAndAnUnknownCommand() {
        Result help = launch("help");
        assertEquals(0, help.exit());
        assertTrue(help.out().startsWith("usage: ./iomt <command> [options]"), help.out());
        assertEquals(help, launch());
        assertEquals(help, launch("--help"));
        Result unknown = launch("simulat");
        assertEquals(2, unknown.exit());
        assertEquals("", unknown.out());
        assertEquals("iomt: unknown command 'simulat'\n" + help.out(), unknown.err());
    }

    static void assertNoStackTrace(Result r) {
        for (String text : new String[] {r.out(), r.err()}) {
            assertFalse(text.contains("Exception"), text);
            assertFalse(text.contains("\tat "), text);
        }
    }
}
