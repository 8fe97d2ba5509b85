package org.iomtpq.gateway.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The options a command was given, already checked against their {@link ValueKind}s; a flag's value is "yes". */
public final class Arguments {

    private final Map<String, List<String>> values;

    Arguments(Map<String, List<String>> values) {
        this.values = values;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** The value given, or null. */
    public String get(String name) {
        List<String> given = values.get(name);
        return given == null ? null : given.get(given.size() - 1);
    }

    public String getOrDefault(String name, String fallback) {
        return has(name) ? get(name) : fallback;
    }

    /** Only for options of a {@link ValueKind#wholeNumber} kind, whose values always parse. */
    public int intValue(String name, int fallback) {
        return has(name) ? Integer.parseInt(get(name)) : fallback;
    }

    /** Every value of a repeatable option, in the order given. */
    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    /** Name to value of the options given (not their defaults: commands that pass options on keep them absent). */
    public Map<String, String> asMap() {
        Map<String, String> map = new LinkedHashMap<>();
        values.keySet().forEach(name -> map.put(name, get(name)));
        return map;
    }
}
