package io.meshform.providers.istio.install;

import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.KubeErrors;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What an addon file may hold. Every document of an addon file is server-side applied with meshform's credentials,
 * and the directory is a path the stack names (a pull request can point it at files in the repository), so an addon
 * file holds only what Istio's own sample addons hold (audit A, H3):
 * <ul>
 * <li>the kinds of the samples ({@link #KINDS}), nothing else (no Secret, no webhook, no CRD, no Namespace);</li>
 * <li>namespaced objects only in the addon namespace (istio-system, where the samples and meshform put them), and
 * cluster-scoped ones without a namespace;</li>
 * <li>RBAC that stays inside the file: a binding grants only a ClusterRole (or Role) the same file defines, to
 * ServiceAccounts the same file defines in the addon namespace; a role aggregates no other roles;</li>
 * <li>a Deployment's pods run as a ServiceAccount the file defines (or the namespace's default), never as another
 * one of istio-system (istiod's, with its rights).</li>
 * </ul>
 * The rules, not the sample files' digests, decide what may be applied: an addon file may differ from the sample
 * (another image, other settings). The digests decide what a reviewer must read: the plan folds an object identical to
 * Istio's sample and shows, and warns about, one that is not ({@link AddonSampleCheck}).
 */
final class AddonRules {
    /**
     * The apiVersion/kind pairs of Istio 1.30.3's {@code samples/addons}: kiali.yaml (ServiceAccount, ConfigMap,
     * ClusterRole, ClusterRoleBinding, Service, Deployment), prometheus.yaml (the same six), grafana.yaml
     * (ServiceAccount, ConfigMap, Service, Deployment) and jaeger.yaml (Deployment, Service, ConfigMap).
     */
    static final List<String> KINDS = List.of("v1/ServiceAccount", "v1/ConfigMap", "v1/Service", "apps/v1/Deployment",
            "rbac.authorization.k8s.io/v1/ClusterRole", "rbac.authorization.k8s.io/v1/ClusterRoleBinding");
    /** The cluster-scoped kinds among {@link #KINDS}. */
    static final Set<String> CLUSTER_SCOPED = Set.of("ClusterRole", "ClusterRoleBinding");
    static final Set<String> BINDINGS = Set.of("ClusterRoleBinding", "RoleBinding");
    static final Set<String> ROLES = Set.of("ClusterRole", "Role");
    static final String RBAC_GROUP = "rbac.authorization.k8s.io";

    /** One document of an addon file: its number in the file (from 1) and the object. */
    record Doc(int number, ObjectNode object) {
        String kind() {
            return Json.text(object, "kind");
        }

        String name() {
            return Json.text(object.path("metadata"), "name");
        }

        String namespace() {
            return Json.text(object.path("metadata"), "namespace");
        }
    }

    private AddonRules() {
    }

    /**
     * Refuses the first document that breaks a rule, naming {@code where} (the install and addon), the file, the
     * document and what is allowed. {@code namespace}: the addon namespace; namespaced objects already carry one
     * (a document without it was put there).
     */
    static void check(String where, String file, String namespace, List<Doc> docs) {
        for (Doc d : docs) {
            String type = Json.text(d.object(), "apiVersion") + "/" + d.kind();
            if (!KINDS.contains(type)) {
                throw refuse(where, file, d, "is a " + type + ", not a kind of Istio's sample addons",
                        "an addon file may hold only " + String.join(", ", KINDS) + " (the kinds of Istio 1.30.3's"
                                + " samples/addons); apply anything else as its own kubernetes.manifest resource, where the"
                                + " plan shows it as one");
            }
            if (CLUSTER_SCOPED.contains(d.kind())) {
                if (d.namespace() != null) {
                    throw refuse(where, file, d, "is cluster-scoped but names namespace " + d.namespace(),
                            "leave metadata.namespace out of a " + d.kind());
                }
            } else if (!namespace.equals(d.namespace())) {
                throw refuse(where, file, d, "is in namespace " + d.namespace() + ", not " + namespace,
                        "addon objects live in " + namespace + ": leave metadata.namespace out, or set it to " + namespace);
            }
        }
        Set<String> roles = new TreeSet<>();
        Set<String> accounts = new TreeSet<>();
        for (Doc d : docs) {
            if (ROLES.contains(d.kind())) {
                roles.add(roleKey(d.kind(), d.namespace(), d.name()));
            } else if ("ServiceAccount".equals(d.kind())) {
                accounts.add(d.name());
            }
        }
        for (Doc d : docs) {
            if (BINDINGS.contains(d.kind())) {
                checkBinding(where, file, namespace, d, roles, accounts);
            } else if (ROLES.contains(d.kind()) && d.object().has("aggregationRule")) {
                throw refuse(where, file, d, "aggregates other roles (aggregationRule)",
                        "an addon's " + d.kind() + " lists its own rules; aggregating would grant the rights of roles outside"
                                + " the file");
            } else if ("Deployment".equals(d.kind())) {
                JsonNode pod = d.object().path("spec").path("template").path("spec");
                for (String field : List.of("serviceAccountName", "serviceAccount")) {
                    String sa = Json.text(pod, field);
                    if (sa != null && !"default".equals(sa) && !accounts.contains(sa)) {
                        throw refuse(where, file, d, "runs its pods as ServiceAccount " + sa + ", which " + file + " does not define",
                                "an addon's pods run as a ServiceAccount of the same file" + known(accounts)
                                        + " or the namespace's default");
                    }
                }
            }
        }
    }

    private static void checkBinding(String where, String file, String namespace, Doc d, Set<String> roles, Set<String> accounts) {
        JsonNode ref = d.object().path("roleRef");
        String refKind = Json.text(ref, "kind");
        String refName = Json.text(ref, "name");
        // A RoleBinding may grant a Role of its namespace or a ClusterRole; a ClusterRoleBinding only a ClusterRole.
        String refNamespace = "Role".equals(refKind) && "RoleBinding".equals(d.kind()) ? d.namespace() : null;
        boolean own = RBAC_GROUP.equals(Json.text(ref, "apiGroup")) && ROLES.contains(refKind)
                && roles.contains(roleKey(refKind, refNamespace, refName));
        if (!own) {
            throw refuse(where, file, d, "grants " + (refKind == null ? "a role" : refKind) + " " + refName
                            + ", which " + file + " does not define",
                    "an addon's " + d.kind() + " may grant only a ClusterRole or Role defined in the same file"
                            + known(roles) + ", never one of the cluster's (cluster-admin, admin, edit, ...)");
        }
        JsonNode subjects = d.object().path("subjects");
        for (JsonNode s : subjects) {
            String ns = Json.text(s, "namespace", "RoleBinding".equals(d.kind()) ? d.namespace() : null);
            if (!"ServiceAccount".equals(Json.text(s, "kind")) || !namespace.equals(ns) || !accounts.contains(Json.text(s, "name"))) {
                throw refuse(where, file, d, "binds " + Json.text(s, "kind") + " " + (ns == null ? "" : ns + "/")
                                + Json.text(s, "name") + ", which is no ServiceAccount " + file + " defines in " + namespace,
                        "an addon's " + d.kind() + " may bind only ServiceAccounts defined in the same file, in " + namespace
                                + known(accounts));
            }
        }
    }

    private static String roleKey(String kind, String namespace, String name) {
        return kind + " " + (namespace == null ? "" : namespace + "/") + name;
    }

    private static String known(Set<String> names) {
        return names.isEmpty() ? " (it defines none)" : " (here: " + String.join(", ", names) + ")";
    }

    private static io.meshform.engine.diag.DiagnosticsException refuse(String where, String file, Doc d, String problem,
                                                                       String allowed) {
        return KubeErrors.error(where + ": document " + d.number() + " of " + file + " (" + d.kind() + " " + d.name() + ") "
                + problem, allowed);
    }
}
