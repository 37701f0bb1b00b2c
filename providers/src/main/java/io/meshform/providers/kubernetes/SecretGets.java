package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.providers.kubernetes.KubeObjects.Target;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * A plan reads a declared Secret by a GET of its name, never by a LIST of its namespace's Secrets, as {@code kubectl
 * get secret NAME} or {@code kubectl diff} of a named object does. A LIST answers with every Secret of the namespace,
 * values included: it needs {@code list secrets}, which Kubernetes' RBAC good practices single out as a grant of every
 * Secret's contents (docs "Role Based Access Control Good Practices", "Listing secrets"), and it held all those values
 * in meshform's memory for the few the stack declares. With a GET, {@code get secrets} (narrowed with
 * {@code resourceNames} if one wants) is enough for plan and drift.
 * <p>
 * Secrets only, and always: other kinds keep one LIST per kind and namespace ({@link ManifestReads}), which costs a
 * plan of many objects a few requests; their contents are not credentials. A fallback from a refused LIST to GETs
 * for any kind was not taken: a LIST of Secrets that the credentials allow would still read every Secret, the refused
 * LIST would cost a request per collection and a 403 in the API server's audit log at every plan, and what meshform
 * reads would depend on the grants of whoever runs it.
 */
final class SecretGets {
    private SecretGets() {
    }

    static boolean isSecret(Target t) {
        return "v1".equals(t.apiVersion()) && "Secret".equals(t.kind());
    }

    /** What one read request covers: a Secret itself (a GET), any other object's kind and namespace (a LIST). */
    static Target readKey(Target t) {
        return isSecret(t) ? t : t.collection();
    }

    /**
     * The Secret {@code t} names, as a list of one, or empty when the API server answers 404 (the Secret or its
     * namespace does not exist). A refusal names the verb, the resource, the namespace and the RBAC rule to add.
     */
    static List<JsonNode> get(KubeConnection kube, String address, Target t) {
        KubernetesClient client = kube.client();
        var op = BuiltInKinds.operation(client, t.apiVersion(), t.kind());
        try {
            JsonNode o = RawReads.object(client, t.namespace() == null ? op.withName(t.name())
                    : op.inNamespace(t.namespace()).withName(t.name()));
            return o == null ? List.of() : List.of(o);
        } catch (KubernetesClientException e) {
            if (KubeErrors.code(e) == 403) {
                throw forbidden(address, t.namespace() == null ? client.getNamespace() : t.namespace(), t.name(), e);
            }
            throw kube.explain(address, "get", t.describe(), e);
        }
    }

    static DiagnosticsException forbidden(String address, String namespace, String name, KubernetesClientException e) {
        return new DiagnosticsException(Diagnostic.error(
                address + ": get Secret " + namespace + "/" + name + " failed (HTTP 403): the credentials may not get"
                        + " secrets in namespace " + namespace,
                "API server says: " + KubeErrors.serverSays(e) + "\n(hint: meshform reads a declared Secret by its name"
                        + " and never lists Secrets; grant `get` on secrets in namespace " + namespace + ", a Role rule"
                        + " `{apiGroups: [\"\"], resources: [secrets], verbs: [get]}` bound to this user, with"
                        + " `resourceNames: [" + name + "]` to allow this Secret only)", null));
    }
}
