package io.meshform.state.kubernetes;

import java.util.regex.Pattern;

/**
 * Checks where a Kubernetes state would live before any request is sent: the namespace must be a DNS-1123 label
 * (Kubernetes' own rule, {@code IsDNS1123Label} in k8s.io/apimachinery {@code pkg/util/validation/validation.go}:
 * at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit), and so must the state
 * name, which becomes part of the Secret and Lease names and the value of the {@code meshform.io/state} label
 * (label values are at most 63 characters too).
 */
public final class KubernetesNames {

    private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final int MAX_LABEL = 63;

    private KubernetesNames() {
    }

    /** @throws IllegalArgumentException saying which part is wrong and why */
    public static void checkLocation(String namespace, String name) {
        String ns = namespaceProblem(namespace);
        if (ns != null) {
            throw new IllegalArgumentException(ns);
        }
        String n = nameProblem(name);
        if (n != null) {
            throw new IllegalArgumentException(n);
        }
    }

    /** What is wrong with {@code namespace} for the state Secret and Lease, as a sentence; null when nothing. */
    public static String namespaceProblem(String namespace) {
        String ns = problem(namespace);
        return ns == null ? null
                : "namespace \"" + printable(namespace) + "\" is not a valid Kubernetes namespace name: " + ns;
    }

    /** What is wrong with {@code name} as the state's name, as a sentence; null when nothing. */
    public static String nameProblem(String name) {
        String n = problem(name);
        return n == null ? null
                : "state name \"" + printable(name) + "\" cannot name the Secret meshform-state-NAME and the Lease "
                        + "meshform-lock-NAME: " + n;
    }

    /** What is wrong with {@code value} as a DNS-1123 label, or null. */
    static String problem(String value) {
        if (value == null || value.isEmpty()) {
            return "it is empty";
        }
        if (value.length() > MAX_LABEL) {
            return "it has " + value.length() + " characters, at most " + MAX_LABEL + " are allowed";
        }
        if (!DNS1123_LABEL.matcher(value).matches()) {
            return "use only lowercase letters, digits and '-', starting and ending with a letter or digit "
                    + "(a DNS-1123 label, e.g. cortex-ops)";
        }
        return null;
    }

    /** The value for a message, with control characters shown as '?' so that a message cannot be forged. */
    private static String printable(String value) {
        StringBuilder sb = new StringBuilder();
        value.codePoints().limit(100).forEach(c -> sb.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return value.codePointCount(0, value.length()) > 100 ? sb + "..." : sb.toString();
    }
}
