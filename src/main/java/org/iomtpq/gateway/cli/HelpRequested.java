package org.iomtpq.gateway.cli;

/**
 * {@code --help} or {@code -h} was given: not an error, but like one it ends the command before it does anything, so
 * every command gets it from {@link CommandLine#parse} without checking for it. {@link CommandRunner} prints the usage
 * on stdout and exits 0.
 */
public final class HelpRequested extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String usage;

    HelpRequested(String usage) {
        super("help requested", null, false, false);
        this.usage = usage;
    }

    public String usage() {
        return usage;
    }
}
