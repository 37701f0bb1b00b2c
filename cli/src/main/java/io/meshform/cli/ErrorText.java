package io.meshform.cli;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.providers.kubernetes.KubeErrors;

/** The words for a failure no command turned into a {@link UserError}: the cause's own message, never a bare class name. */
final class ErrorText {
    private ErrorText() {
    }

    static String of(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException k) {
                return KubeErrors.describe(k);
            }
        }
        Throwable root = ex;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = ex.getMessage() != null ? ex.getMessage() : root.getMessage();
        if (root instanceof java.io.IOException) {
            return "input/output failed: " + (message == null ? "no detail" : message) + " (" + root.getClass().getSimpleName() + ")";
        }
        return "unexpected failure: " + (message == null ? "no detail given" : message) + " (" + root.getClass().getSimpleName()
                + "; this is a bug in meshform, please report it with the stack trace)";
    }
}
