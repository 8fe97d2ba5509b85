package org.iomtpq.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.iomtpq.gateway.config.StartupException;
import org.junit.jupiter.api.Test;

class CommandRunnerTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(CommandRunner.Body body, boolean debug) {
        return CommandRunner.run("thing", new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), body, debug);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void eachKindOfFailureIsOneLineWithItsExitCode() {
        assertEquals(0, run(() -> 0, false));
        assertEquals(5, run(() -> 5, false));
        assertEquals("", err());
        assertEquals(2, run(() -> {
            throw new UsageException("--x expects y");
        }, false));
        assertEquals(2, run(() -> {
            throw new CommandFailure("cannot reach it: start it", 2);
        }, false));
        assertEquals(3, run(() -> {
            throw new StartupException("port 8080 is taken: set IOMT_HTTP_PORT", 3, null);
        }, false));
        assertEquals(1, run(() -> {
            throw new IllegalStateException("boom\n  with a second line");
        }, false));
        assertEquals(1, run(() -> {
            throw new InterruptedException();
        }, false));
        assertTrue(Thread.interrupted(), "the interrupt is kept");
        assertEquals("""
                iomt thing: --x expects y (see ./iomt thing --help)
                iomt thing: cannot reach it: start it
                iomt thing: port 8080 is taken: set IOMT_HTTP_PORT
                iomt thing: boom with a second line (IOMT_DEBUG=true shows the stack trace)
                iomt thing: InterruptedException (IOMT_DEBUG=true shows the stack trace)
                """, err());
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpGoesToStdoutAndTheStackTraceOnlyWithDebug() {
        assertEquals(0, run(() -> {
            throw new HelpRequested("usage: ./iomt thing\n");
        }, false));
        assertEquals("usage: ./iomt thing\n", out.toString(StandardCharsets.UTF_8));
        assertEquals(1, run(() -> {
            throw new IllegalStateException("boom");
        }, true));
        assertTrue(err().startsWith("iomt thing: boom\njava.lang.IllegalStateException: boom\n\tat "), err());
    }
}
