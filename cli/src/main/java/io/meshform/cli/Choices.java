package io.meshform.cli;

import io.meshform.engine.diag.Suggestions;
import io.meshform.engine.render.DriftFormats;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option values checked while the command line is parsed, so a bad value is a usage error (with the command's
 * usage) before any file is read or any cluster is contacted. Each list ({@link OneOf}) is both the converter and
 * the values the shell completion offers.
 */
final class Choices {
    private Choices() {
    }

    /** A value from a fixed list; the list is also the completion candidates. */
    abstract static class OneOf implements ITypeConverter<String>, Iterable<String> {
        abstract List<String> values();

        @Override
        public String convert(String value) {
            if (!values().contains(value)) {
                throw new TypeConversionException("expected one of " + String.join(", ", values()) + ", not '" + value + "'"
                        + Suggestions.closest(value, values()).map(s -> " (did you mean '" + s + "'?)").orElse(""));
            }
            return value;
        }

        @Override
        public Iterator<String> iterator() {
            return values().iterator();
        }
    }

    static final class LogLevel extends OneOf {
        static final List<String> VALUES = List.of("info", "debug");

        @Override
        List<String> values() {
            return VALUES;
        }
    }

    static final class DriftFormat extends OneOf {
        @Override
        List<String> values() {
            return DriftFormats.NAMES;
        }
    }

    static final class GraphFormat extends OneOf {
        @Override
        List<String> values() {
            return List.of("dot", "text");
        }
    }

    /**
     * bash and zsh only: the script is picocli's {@code AutoComplete.bash}, which zsh runs through bashcompinit, and
     * picocli generates nothing else. For another shell's name "did you mean 'bash'?" was a wrong guess; the user
     * needs to hear that the shell is not supported, and what is.
     */
    static final class Shell extends OneOf {
        private static final java.util.Set<String> OTHER_SHELLS = java.util.Set.of("fish", "powershell", "pwsh", "tcsh",
                "csh", "ksh", "nu", "nushell", "elvish", "xonsh", "cmd");

        @Override
        List<String> values() {
            return List.of("bash", "zsh");
        }

        @Override
        public String convert(String value) {
            if (OTHER_SHELLS.contains(value.toLowerCase(java.util.Locale.ROOT))) {
                throw new TypeConversionException("meshform completes in bash and zsh only, not " + value + ": its script"
                        + " is the bash script of picocli's AutoComplete (zsh loads it through bashcompinit), and picocli"
                        + " writes none for other shells; use `meshform completion bash` in bash or `meshform completion"
                        + " zsh` in zsh");
            }
            return super.convert(value);
        }
    }

    /** A whole number of at least 1 (e.g. --parallelism). */
    static final class Positive implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int n = integer(value);
            if (n < 1) {
                throw new TypeConversionException("must be 1 or more, not " + value);
            }
            return n;
        }
    }

    /**
     * How long to wait ({@code --lock-timeout}): whole seconds ({@code 30}, as before), or a duration as Terraform's
     * {@code -lock-timeout} takes it, Go's {@code time.ParseDuration} (go/src/time/format.go): decimal numbers, each
     * with an optional fraction and a unit among {@code ns us µs ms s m h}, summed in any order: {@code 30s}, {@code 5m},
     * {@code 1m30s}, {@code 1.5h}, {@code 0.5s}, {@code 500ms}. A Terraform user types {@code --lock-timeout 30s}, which
     * was refused as "not a whole number", and {@code 0.5s} was refused as not a duration. At most {@link #MAX_WAIT}: the
     * backends add the wait to a nanosecond clock.
     */
    static final class Wait implements ITypeConverter<java.time.Duration> {
        private static final java.util.regex.Pattern PART =
                java.util.regex.Pattern.compile("(\\d+\\.?\\d*|\\.\\d+)(ns|us|\u00b5s|\u03bcs|ms|h|m|s)");
        static final java.time.Duration MAX_WAIT = java.time.Duration.ofDays(7);

        @Override
        public java.time.Duration convert(String value) {
            String text = value.trim();
            if (text.startsWith("-")) {
                throw new TypeConversionException("must be 0 or more, not " + value);
            }
            java.time.Duration total;
            boolean seconds = text.chars().allMatch(Character::isDigit) && !text.isEmpty();
            try {
                total = seconds ? java.time.Duration.ofSeconds(Long.parseLong(text))
                        : units(text.startsWith("+") ? text.substring(1) : text);
            } catch (NumberFormatException | ArithmeticException e) {
                // Whole seconds beyond a long are a duration still, only too long: said so below, as units() does.
                total = seconds ? MAX_WAIT.plusNanos(1) : null;
            }
            if (total == null) {
                throw new TypeConversionException("'" + value + "' is not a duration: give whole seconds (30) or a"
                        + " duration such as 30s, 5m, 1m30s, 0.5s or 500ms");
            }
            if (total.compareTo(MAX_WAIT) > 0) {
                throw new TypeConversionException("'" + value + "' is longer than the longest wait, 7 days (168h)");
            }
            return total;
        }

        /** The sum of Go-style parts ({@code 1h2.5m3s}); null when the text is not made of them alone. */
        private static java.time.Duration units(String text) {
            java.util.regex.Matcher m = PART.matcher(text);
            java.math.BigDecimal nanos = java.math.BigDecimal.ZERO;
            int end = 0;
            while (m.find()) {
                if (m.start() != end) {
                    return null;
                }
                long unit = switch (m.group(2)) {
                    case "h" -> 3_600_000_000_000L;
                    case "m" -> 60_000_000_000L;
                    case "s" -> 1_000_000_000L;
                    case "ms" -> 1_000_000L;
                    case "ns" -> 1L;
                    default -> 1_000L;  // us, and the micro sign or Greek mu before s, as Go takes them
                };
                nanos = nanos.add(new java.math.BigDecimal(m.group(1)).multiply(java.math.BigDecimal.valueOf(unit)));
                if (nanos.compareTo(java.math.BigDecimal.valueOf(MAX_WAIT.toNanos())) > 0) {
                    return MAX_WAIT.plusNanos(1);  // said as too long, before a huge number overflows the sum
                }
                end = m.end();
            }
            return end == text.length() && end > 0
                    ? java.time.Duration.ofNanos(nanos.setScale(0, java.math.RoundingMode.DOWN).longValueExact()) : null;
        }
    }

    /**
     * Every file or directory option and argument ({@code -f}, {@code --out}, {@code --state}, {@code --root}, a
     * PLANFILE, ...): an empty value ({@code --out=}, or {@code --istioctl "$UNSET"}) named the working directory, so
     * {@code plan --out=} planned in full and then said "cannot write : it is a directory", and {@code --root=} or
     * {@code --istioctl=} were taken without a word for the current directory or the default.
     */
    static final class NonEmptyPath implements ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            if (value.isEmpty()) {
                throw new TypeConversionException("the path is empty: give a file or directory name (nothing follows"
                        + " the `=`, or the variable given is unset)");
            }
            return Path.of(value);
        }
    }

    /**
     * {@code --root}: an existing directory. A misspelt one was taken without a word: a stack naming no other file
     * validated and planned, and one with imports was told its import lay outside a root that does not exist.
     */
    static final class RootDirectory implements ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            Path path = new NonEmptyPath().convert(value);
            if (!java.nio.file.Files.exists(path)) {
                throw new TypeConversionException(value + " does not exist: give the directory that holds the stack file"
                        + " and the files it names (default: the stack file's directory)");
            }
            if (!java.nio.file.Files.isDirectory(path)) {
                throw new TypeConversionException(value + " is not a directory: give the directory that holds the stack"
                        + " file and the files it names (default: the stack file's directory)");
            }
            return path;
        }
    }

    private static int integer(String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a whole number");
        }
    }
}
