package org.iomtpq.gateway.startup;

import java.util.LinkedHashSet;
import java.util.Set;

/** Turns an unexpected start-up failure into one line: each distinct message along the cause chain, no stack trace. */
public final class StartupFailures {

    private StartupFailures() {
    }

    public static String oneLine(Throwable failure) {
        Set<String> parts = new LinkedHashSet<>();
        for (Throwable t = failure; t != null && parts.size() < 4; t = t.getCause()) {
            String message = t.getMessage();
            String part = message == null || message.isBlank() ? t.getClass().getSimpleName() : message.strip();
            if (parts.stream().noneMatch(p -> p.contains(part))) {
                parts.add(part);
            }
        }
        return String.join(": ", parts).replaceAll("\\s*\\R\\s*", " ");
    }
}
