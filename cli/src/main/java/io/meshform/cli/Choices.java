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

    /** A whole number of at least 0 (e.g. --lock-timeout). */
    static final class NotNegative implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int n = integer(value);
            if (n < 0) {
                throw new TypeConversionException("must be 0 or more, not " + value);
            }
            return n;
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

    private static int integer(String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a whole number");
        }
    }
}
