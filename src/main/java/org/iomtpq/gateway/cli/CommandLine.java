package org.iomtpq.gateway.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The options of one {@code ./iomt} command: their names, what their values must be and what they mean. From that one
 * description come both the parsing ({@code --name value} or {@code --name=value}, flags without a value, each option
 * at most once unless repeatable, {@code --help}/{@code -h} anywhere) and the {@code --help} text, so the two cannot
 * disagree. Built once per command, in a static field: the builder methods add to this instance.
 */
public final class CommandLine {

    /** What a command does with its checked options; {@link #run} turns what it throws into the one line. */
    @FunctionalInterface
    public interface Action {
        int run(Arguments arguments) throws Exception;
    }

    /** {@code kind} null: a flag, present or absent. */
    private record Option(String name, String valueName, ValueKind kind, String description, boolean repeatable) {
        String label() {
            return "--" + name + (kind == null ? "" : " " + valueName);
        }
    }

    private final String command;
    private final String summary;
    private final List<String> synopses = new ArrayList<>();
    private final Map<String, Option> options = new LinkedHashMap<>();
    private String notes = "";
    private String withoutOptions = "it takes no options";

    private CommandLine(String command, String summary) {
        this.command = command;
        this.summary = summary;
    }

    /** {@code summary}: what the command does, one or a few lines for its {@code --help}. */
    public static CommandLine command(String name, String summary) {
        return new CommandLine(name, summary);
    }

    /** A form of the command line after {@code ./iomt <command>}; default {@code [options]}. Repeat for more forms. */
    public CommandLine synopsis(String form) {
        synopses.add(form);
        return this;
    }

    /** {@code valueName} as the help shows it ({@code N}, {@code URL}); a multi-line description is indented as such. */
    public CommandLine option(String name, String valueName, ValueKind kind, String description) {
        return add(new Option(name, valueName, kind, description, false));
    }

    /** An option that may be given several times ({@link Arguments#all}). */
    public CommandLine repeatable(String name, String valueName, ValueKind kind, String description) {
        return add(new Option(name, valueName, kind, description, true));
    }

    /** An option without a value: given or not ("yes" in {@link Arguments#asMap}). */
    public CommandLine flag(String name, String description) {
        return add(new Option(name, null, null, description, false));
    }

    /** Text after the options in the help: the environment the command reads, related forms, documents. */
    public CommandLine notes(String text) {
        notes = text.endsWith("\n") ? text : text + "\n";
        return this;
    }

    /** For a command without options: why, in the error line for an argument given anyway. */
    public CommandLine takesNoOptions(String why) {
        withoutOptions = why;
        return this;
    }

    private CommandLine add(Option option) {
        options.put(option.name(), option);
        return this;
    }

    public String name() {
        return command;
    }

    /** Parses and runs {@code action}; never throws: the exit code, and at most one line on {@code err}. */
    public int run(String[] args, PrintStream out, PrintStream err, Action action) {
        return CommandRunner.run(command, out, err, () -> action.run(parse(args)));
    }

    /**
     * The checked options.
     *
     * @throws HelpRequested  when {@code --help} or {@code -h} is among them
     * @throws UsageException for an unknown option, a missing or wrong value, an option given twice
     */
    public Arguments parse(String[] args) {
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                throw new HelpRequested(usage());
            }
        }
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            int equals = arg.indexOf('=');
            String name = arg.startsWith("--") ? arg.substring(2, equals < 0 ? arg.length() : equals) : null;
            Option option = name == null ? null : options.get(name);
            if (option == null) {
                throw new UsageException((arg.startsWith("-") ? "unknown option '" : "unexpected argument '") + arg + "'; "
                        + expectedOptions());
            }
            if (values.containsKey(name) && !option.repeatable()) {
                throw new UsageException("--" + name + " is given twice");
            }
            String value;
            if (equals >= 0) {
                value = arg.substring(equals + 1);
            } else if (option.kind() == null) {
                value = "yes";
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                throw new UsageException("--" + name + " needs a value: " + option.kind().expected());
            }
            values.computeIfAbsent(name, n -> new ArrayList<>()).add(checked(option, value));
        }
        return new Arguments(values);
    }

    private static String checked(Option option, String value) {
        if (option.kind() == null) {
            if (!value.equals("yes")) {
                throw new UsageException("--" + option.name() + " takes no value, got '" + value + "'");
            }
            return value;
        }
        return option.kind().accept(value).orElseThrow(() -> new UsageException(
                "--" + option.name() + " expects " + option.kind().expected() + ", got '" + value + "'"));
    }

    private String expectedOptions() {
        return options.isEmpty() ? withoutOptions : "expected one of " + options.values().stream()
                .map(o -> "--" + o.name()).collect(Collectors.joining(", "));
    }

    /** The {@code --help} text. */
    public String usage() {
        StringBuilder s = new StringBuilder();
        List<String> forms = synopses.isEmpty() ? List.of(options.isEmpty() ? "" : "[options]") : synopses;
        for (int i = 0; i < forms.size(); i++) {
            s.append(i == 0 ? "usage: " : "       ").append("./iomt ").append(command)
                    .append(forms.get(i).isEmpty() ? "" : " " + forms.get(i)).append('\n');
        }
        s.append(summary.endsWith("\n") ? summary : summary + "\n");
        int width = options.values().stream().mapToInt(o -> o.label().length()).max().orElse(0) + 2;
        for (Option o : options.values()) {
            String indent = "\n  " + " ".repeat(width);
            s.append("  ").append(String.format("%-" + width + "s", o.label()))
                    .append(o.description().replace("\n", indent)).append('\n');
        }
        return s.append(notes).toString();
    }
}
