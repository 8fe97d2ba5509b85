package org.iomtpq.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {

    private static final CommandLine TOOL = CommandLine.command("tool", "does things\nin two lines")
            .option("count", "N", ValueKind.wholeNumber(1), "how many (default 3)")
            .option("mode", "M", ValueKind.oneOf("fast", "slow"), "fast | slow\nsecond line")
            .option("api", "URL", ValueKind.apiUrl(), "the gateway")
            .repeatable("tag", "T", ValueKind.text(), "a tag (repeat for more)")
            .flag("dry-run", "change nothing")
            .notes("reads IOMT_THING");

    private static String usageError(String... args) {
        return assertThrows(UsageException.class, () -> TOOL.parse(args)).getMessage();
    }

    @Test
    void valuesAreCheckedAndNormalizedAndOnlyGivenOptionsArePresent() {
        Arguments a = TOOL.parse(new String[] {"--count", "7", "--mode=slow", "--api", "http://h:1/", "--tag", "a",
                "--tag", "b", "--dry-run"});
        assertEquals(7, a.intValue("count", 3));
        assertEquals("slow", a.get("mode"));
        assertEquals("http://h:1/api/v1", a.get("api"));
        assertEquals(List.of("a", "b"), a.all("tag"));
        assertEquals(Map.of("count", "7", "mode", "slow", "api", "http://h:1/api/v1", "tag", "b", "dry-run", "yes"),
                a.asMap());
        Arguments none = TOOL.parse(new String[0]);
        assertFalse(none.has("count"));
        assertEquals(3, none.intValue("count", 3));
        assertEquals("fast", none.getOrDefault("mode", "fast"));
        assertEquals(List.of(), none.all("tag"));
    }

    @Test
    void eachMistakeIsOneLineSayingWhatIsWrongAndWhatIsExpected() {
        assertEquals("--count expects a whole number >= 1, got 'x'", usageError("--count", "x"));
        assertEquals("--count expects a whole number >= 1, got '0'", usageError("--count", "0"));
        assertEquals("--count expects a whole number >= 1, got '99999999999'", usageError("--count", "99999999999"));
        assertEquals("--mode expects fast | slow, got 'medium'", usageError("--mode", "medium"));
        assertEquals("--count needs a value: a whole number >= 1", usageError("--count"));
        assertEquals("--count needs a value: a whole number >= 1", usageError("--count", "--mode", "fast"));
        assertEquals("unknown option '--bogus'; expected one of --count, --mode, --api, --tag, --dry-run",
                usageError("--bogus", "1"));
        assertEquals("unexpected argument 'extra'; expected one of --count, --mode, --api, --tag, --dry-run",
                usageError("extra"));
        assertEquals("unknown option '-c'; expected one of --count, --mode, --api, --tag, --dry-run", usageError("-c"));
        assertEquals("--count is given twice", usageError("--count", "1", "--count", "2"));
        assertEquals("--dry-run takes no value, got 'no'", usageError("--dry-run=no"));
        assertTrue(usageError("--api", "ftp://x").startsWith("--api expects an http:// or https:// URL"));
    }

    @Test
    void helpAnywhereWinsOverEverythingElse() {
        for (String[] args : new String[][] {{"--help"}, {"-h"}, {"--count", "x", "--help"}, {"--bogus", "-h"}}) {
            HelpRequested help = assertThrows(HelpRequested.class, () -> TOOL.parse(args));
            assertEquals(TOOL.usage(), help.usage());
        }
    }

    @Test
    void theUsageListsEveryOptionWithItsDescriptionAligned() {
        assertEquals("""
                usage: ./iomt tool [options]
                does things
                in two lines
                  --count N  how many (default 3)
                  --mode M   fast | slow
                             second line
                  --api URL  the gateway
                  --tag T    a tag (repeat for more)
                  --dry-run  change nothing
                reads IOMT_THING
                """, TOOL.usage());
        CommandLine none = CommandLine.command("quiet", "runs").takesNoOptions("it reads its settings from the environment");
        assertEquals("usage: ./iomt quiet\nruns\n", none.usage());
        assertEquals("unknown option '--port'; it reads its settings from the environment",
                assertThrows(UsageException.class, () -> none.parse(new String[] {"--port", "1"})).getMessage());
    }

    @Test
    void anOutputFileMustBeInAnExistingDirectory(@TempDir Path dir) throws Exception {
        ValueKind file = ValueKind.outputFile();
        assertTrue(file.accept(dir.resolve("x.json").toString()).isPresent());
        Files.writeString(dir.resolve("old.md"), "x");
        assertTrue(file.accept(dir.resolve("old.md").toString()).isPresent(), "an existing file is replaced");
        assertFalse(file.accept(dir.resolve("missing/x.json").toString()).isPresent());
        assertFalse(file.accept(dir.toString()).isPresent(), "a directory is not a file");
        assertFalse(file.accept("").isPresent());
    }

    @Test
    void brokerUrlsAreTheSchemesPahoHasTransportsFor() {
        ValueKind mqtt = ValueKind.mqttUrl();
        for (String ok : new String[] {"tcp://127.0.0.1:1883", "ssl://broker:8883", "ws://h:80/mqtt", "wss://h/mqtt"}) {
            assertTrue(mqtt.accept(ok).isPresent(), ok);
        }
        for (String bad : new String[] {"http://h:1883", "127.0.0.1:1883", "tcp://", "mqtt://h:1883"}) {
            assertFalse(mqtt.accept(bad).isPresent(), bad);
        }
    }
}
