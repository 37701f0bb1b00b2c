package io.meshform.providers.istio.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One remembered istioctl answer as text: the exit code, then stdout and stderr line by line, each stream led by
 * its line count, under a header that names the format and the key it answers (a file renamed to another key is
 * refused). istioctl names its input files in what it prints ({@code "FILE" has warnings:}, {@code failed to decode
 * file FILE}; istioctl/pkg/validate/validate.go), and those are private temporary files whose path differs in every
 * run: each input path is kept as {@code %0}, {@code %1}, ... (a literal {@code %} as {@code %%}) and put back as
 * the current run's path on reading, so a replayed answer reads exactly as a fresh run's would.
 */
final class AnswerText {
    static final String HEADER = "meshform-istioctl-answer 1";

    private AnswerText() {
    }

    static String encode(String key, Istioctl.Result r, List<String> inputs) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n').append("key ").append(key).append('\n')
                .append("exit ").append(r.exit()).append('\n');
        stream(sb, "stdout", r.stdout(), inputs);
        stream(sb, "stderr", r.stderr(), inputs);
        return sb.toString();
    }

    private static void stream(StringBuilder sb, String name, List<String> lines, List<String> inputs) {
        sb.append(name).append(' ').append(lines.size()).append('\n');
        for (String line : lines) {
            sb.append(tokens(line, inputs)).append('\n');
        }
    }

    /** The answer in {@code text}, with the current run's input paths; empty when it is not one for {@code key}. */
    static Optional<Istioctl.Result> decode(String text, String key, List<String> inputs) {
        List<String> lines = List.of(text.split("\n", -1));
        try {
            if (lines.size() < 5 || !lines.get(0).equals(HEADER) || !lines.get(1).equals("key " + key)
                    || !lines.get(2).startsWith("exit ")) {
                return Optional.empty();
            }
            int exit = Integer.parseInt(lines.get(2).substring(5));
            int at = 3;
            List<List<String>> streams = new ArrayList<>();
            for (String name : List.of("stdout", "stderr")) {
                String head = lines.get(at++);
                if (!head.startsWith(name + " ")) {
                    return Optional.empty();
                }
                int n = Integer.parseInt(head.substring(name.length() + 1));
                if (n < 0 || at + n > lines.size()) {
                    return Optional.empty();
                }
                List<String> stream = new ArrayList<>(n);
                for (String line : lines.subList(at, at + n)) {
                    Optional<String> back = paths(line, inputs);
                    if (back.isEmpty()) {
                        return Optional.empty();
                    }
                    stream.add(back.get());
                }
                streams.add(List.copyOf(stream));
                at += n;
            }
            // Exactly the two streams and the final newline: anything else was not written by encode.
            if (at != lines.size() - 1 || !lines.get(at).isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Istioctl.Result(exit, streams.get(0), streams.get(1)));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return Optional.empty();
        }
    }

    static String tokens(String line, List<String> inputs) {
        String escaped = line.replace("%", "%%");
        for (int i = 0; i < inputs.size(); i++) {
            // Paths are written with no '%' (see Istioctl.rememberable), so the escaping above left them intact.
            escaped = escaped.replace(inputs.get(i), "%" + i);
        }
        return escaped;
    }

    private static Optional<String> paths(String line, List<String> inputs) {
        StringBuilder out = new StringBuilder(line.length());
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 1 >= line.length()) {
                return Optional.empty();
            }
            char next = line.charAt(++i);
            if (next == '%') {
                out.append('%');
            } else if (Character.isDigit(next) && next - '0' < inputs.size()) {
                out.append(inputs.get(next - '0'));
            } else {
                return Optional.empty();
            }
        }
        return Optional.of(out.toString());
    }
}
