package vn.kyso.dss;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A command's arguments, from the command line ({@code CMD POS... --opt VALUE --flag})
 * or from a {@code serve} request ({@code {"cmd":CMD, "pos-name":..., "opt":VALUE,
 * "repeatable":[...], "flag":true}}). Both give the same positionals and options,
 * so every command runs the same code either way.
 */
final class Args {
    /** What a command accepts: its positional names, options with a value, and flags. */
    record Spec(String command, List<String> positionals, Set<String> options, Set<String> flags) {
        static Spec of(String command, String positionals, String options, String flags) {
            return new Spec(command, split(positionals), Set.copyOf(split(options)), Set.copyOf(split(flags)));
        }

        private static List<String> split(String words) {
            return words.isBlank() ? List.of() : Arrays.asList(words.trim().split("\\s+"));
        }
    }

    /** Wrong arguments: exit code 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    private final Spec spec;
    private final Map<String, String> positionals = new LinkedHashMap<>();
    private final Map<String, List<String>> options = new LinkedHashMap<>();
    private final Set<String> flags = new java.util.HashSet<>();

    private Args(Spec spec) {
        this.spec = spec;
    }

    static Args fromCommandLine(Spec spec, List<String> argv) {
        Args args = new Args(spec);
        List<String> pos = new ArrayList<>();
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.startsWith("--") && a.length() > 2) {
                String name = a.substring(2);
                String inlineValue = null;
                int eq = name.indexOf('=');
                if (eq > 0) {
                    inlineValue = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (spec.flags().contains(name) && inlineValue == null) {
                    args.flags.add(name);
                } else if (spec.options().contains(name)) {
                    String value = inlineValue;
                    if (value == null) {
                        if (i + 1 >= argv.size()) {
                            throw new UsageException("--" + name + " needs a value");
                        }
                        value = argv.get(++i);
                    }
                    args.options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                } else {
                    throw new UsageException(spec.command() + ": unknown option --" + name);
                }
            } else {
                pos.add(a);
            }
        }
        if (pos.size() != spec.positionals().size()) {
            throw new UsageException(spec.command() + " takes " + spec.positionals().size()
                    + " positional argument(s) (" + String.join(", ", spec.positionals()) + "), got " + pos.size());
        }
        for (int i = 0; i < pos.size(); i++) {
            args.positionals.put(spec.positionals().get(i), pos.get(i));
        }
        return args;
    }

    static Args fromJson(Spec spec, Map<String, Object> request) {
        Args args = new Args(spec);
        for (Map.Entry<String, Object> entry : request.entrySet()) {
            String name = kebab(entry.getKey());
            Object value = entry.getValue();
            if (name.equals("cmd") || value == null) {
                continue;
            }
            if (spec.positionals().contains(name)) {
                args.positionals.put(name, scalar(name, value));
            } else if (spec.flags().contains(name)) {
                if (!(value instanceof Boolean b)) {
                    throw new UsageException("\"" + name + "\" must be true or false");
                }
                if (b) {
                    args.flags.add(name);
                }
            } else if (spec.options().contains(name)) {
                List<String> values = args.options.computeIfAbsent(name, k -> new ArrayList<>());
                if (value instanceof List<?> list) {
                    for (Object item : list) {
                        values.add(scalar(name, item));
                    }
                } else {
                    values.add(scalar(name, value));
                }
            } else {
                throw new UsageException(spec.command() + ": unknown key \"" + entry.getKey() + "\"");
            }
        }
        for (String p : spec.positionals()) {
            if (!args.positionals.containsKey(p)) {
                throw new UsageException(spec.command() + ": \"" + p + "\" is required");
            }
        }
        return args;
    }

    /** {@code tsaKey} and {@code tsa-key} are the same key. */
    private static String kebab(String key) {
        StringBuilder out = new StringBuilder();
        for (char c : key.toCharArray()) {
            if (Character.isUpperCase(c)) {
                out.append('-').append(Character.toLowerCase(c));
            } else {
                out.append(c == '_' ? '-' : c);
            }
        }
        return out.toString();
    }

    private static String scalar(String name, Object value) {
        if (value instanceof String || value instanceof Number) {
            return value.toString();
        }
        throw new UsageException("\"" + name + "\" must be a string");
    }

    String positional(String name) {
        return positionals.get(name);
    }

    /** The option's one value, or null; an error if it was given twice. */
    String option(String name) {
        List<String> values = options.getOrDefault(name, Collections.emptyList());
        if (values.size() > 1) {
            throw new UsageException("--" + name + " given more than once");
        }
        return values.isEmpty() ? null : values.get(0);
    }

    String required(String name) {
        String value = option(name);
        if (value == null) {
            throw new UsageException(spec.command() + ": --" + name + " is required");
        }
        return value;
    }

    List<String> all(String name) {
        return options.getOrDefault(name, Collections.emptyList());
    }

    boolean flag(String name) {
        return flags.contains(name);
    }
}
