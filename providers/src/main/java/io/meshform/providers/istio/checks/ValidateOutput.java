package io.meshform.providers.istio.checks;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code istioctl validate} printed, read back into messages per object. It has no machine-readable output
 * (istioctl/pkg/validate/validate.go): errors come as a hashicorp multierror on stderr, "Error: N errors occurred:"
 * followed by one "\t* Kind/namespace/name: message" line each (exit 1); warnings as "\"FILE\" has warnings:" followed
 * by the same lines (exit 0). A message may span lines (a nested multierror); a line continues the previous message
 * unless it starts a message about one of the objects submitted ({@code keys}). Anything else it printed is kept as
 * an unattributed line, so nothing istioctl says is lost.
 */
record ValidateOutput(List<Message> messages, List<String> unattributed) {
    private static final Pattern ENTRY = Pattern.compile("^\\t?\\* ([A-Za-z]+)/([^/\\s]*)/([^:\\s]+): (.*)$");
    private static final Pattern WARNINGS = Pattern.compile("^\".*\" has warnings:\\s*$");
    private static final Pattern ERRORS = Pattern.compile("^Error: \\d+ errors? occurred:\\s*$");

    /** One message: {@code key} is "Kind/namespace/name". */
    record Message(boolean error, String key, String text) {
    }

    static ValidateOutput parse(List<String> lines, Set<String> keys) {
        List<Message> out = new ArrayList<>();
        List<String> loose = new ArrayList<>();
        Boolean error = null;
        String key = null;
        StringBuilder text = null;
        for (String line : lines) {
            if (WARNINGS.matcher(line).matches() || ERRORS.matcher(line).matches()) {
                if (text != null) {
                    out.add(new Message(error, key, text.toString()));
                    text = null;
                }
                error = ERRORS.matcher(line).matches();
                continue;
            }
            Matcher m = ENTRY.matcher(line);
            String k = m.matches() ? m.group(1) + "/" + m.group(2) + "/" + m.group(3) : null;
            if (error != null && k != null && keys.contains(k)) {
                if (text != null) {
                    out.add(new Message(error, key, text.toString()));
                }
                key = k;
                text = new StringBuilder(m.group(4).trim());
            } else if (line.isBlank()) {
                continue;
            } else if (text != null) {
                String more = line.trim().replaceFirst("^\\* ", "");
                text.append(text.toString().endsWith(":") ? " " : "; ").append(more);
            } else if (!line.startsWith("\"") || !line.contains("is valid")) {
                loose.add(line.trim().replaceFirst("^\\* ", ""));
            }
        }
        if (text != null) {
            out.add(new Message(error, key, text.toString()));
        }
        return new ValidateOutput(out, loose);
    }
}
