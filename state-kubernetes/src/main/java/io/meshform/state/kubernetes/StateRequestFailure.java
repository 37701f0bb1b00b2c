package io.meshform.state.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.state.ServerCertificateRefused;
import io.meshform.state.StateException;
import java.util.Optional;

/**
 * A request of the Kubernetes state backend (its Secret, chunks or Lease) the API server refused or did not answer, in
 * words that say what failed, what the server said and what to do: one wording for the backend, its chunks and its
 * lock, kept apart from the backend's read and write logic.
 */
final class StateRequestFailure {
    private StateRequestFailure() {
    }

    static StateException of(String what, String location, String namespace, KubernetesClientException e) {
        Optional<String> refused = ServerCertificateRefused.why(e);
        if (refused.isPresent()) {
            return new StateException("could not " + what + " state in " + location + ": " + refused.get() + " ("
                    + rootCause(e) + ")\n" + ServerCertificateRefused.ADVICE, e,
                    ServerCertificateRefused.ADVICE);
        }
        String hint = switch (e.getCode()) {
            case 401 -> "the cluster rejected the credentials: check the kubeconfig";
            case 403 -> "meshform may not access Secrets and Leases in namespace " + namespace
                    + ": grant get/list/create/update/delete on secrets and coordination.k8s.io leases there";
            case 404 -> "check that namespace " + namespace + " exists";
            default -> "check that the cluster is reachable, then run meshform again";
        };
        String remedy = switch (e.getCode()) {
            case 401 -> "give the kubeconfig credentials the cluster accepts (refresh the token, or log in again)";
            case 403 -> "let the credentials get, create and update Secrets in namespace " + namespace
                    + " (check with `kubectl auth can-i update secrets -n " + namespace + "`)";
            case 404 -> "create namespace " + namespace + ", or point the backend at one that exists";
            default -> "make sure the cluster answers";
        };
        return new StateException("could not " + what + " state in " + location + ": " + serverSays(e)
                + "\n" + hint, e, remedy);
    }

    /**
     * The API server's own message when it answered (fabric8's text repeats the whole Status object); when it did not,
     * fabric8's text ("Operation: [get] for kind: [Secret] ... failed.") and the root cause, which says why.
     */
    static String serverSays(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null && !e.getStatus().getMessage().isBlank()) {
            return e.getStatus().getMessage() + " (HTTP " + e.getCode() + ")";
        }
        return e.getCause() == null ? e.getMessage() : e.getMessage() + " (" + rootCause(e) + ")";
    }

    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
