package io.meshform.providers.istio.install;

import io.meshform.engine.plan.Sensitive;
import io.meshform.engine.plan.SpecPointers;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.KubeErrors;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * What {@code istioctl uninstall} is given on destroy, from the state's record of the install, in which a value a
 * sensitive variable gave is its digest ({@code sha256:...}, {@link Sensitive}).
 *
 * <p>Istio 1.30.3's uninstall (operator/cmd/mesh/uninstall.go {@code runUninstall}) merges the file as an untyped map
 * (operator/pkg/render/manifest.go {@code MergeInputs}: nothing is parsed into the IstioOperator or MeshConfig types,
 * so a digest in a number, boolean or duration field is never read) and takes only {@code metadata.name} and
 * {@code metadata.namespace} from it: they select what it removes, the objects labelled
 * {@code install.operator.istio.io/owning-resource} and {@code owning-resource-namespace}
 * (operator/pkg/uninstall/prune.go {@code GetPrunedResources}), with {@code --revision} the objects of that
 * revision ({@code istio.io/rev}; beside another revision's control plane meshform adds {@code --revision default}, see
 * {@link #command(String, JsonNode, Supplier, Supplier)}). meshform writes no metadata, so the name is empty and the namespace is
 * {@code istio-system} from manifests/profiles/default.yaml (every profile is merged over it, {@code readProfile}, and no
 * other profile has metadata), or {@code values.global.istioNamespace} when that is set
 * ({@code translateIstioOperatorToHelm}). The profile changes nothing selected, but it must exist: an unknown one,
 * a digest among them, fails ("profile ... not found"). A digest in the namespace fails too: it is no valid label
 * value ("unable to parse requirement"), and as {@code --revision} it is no revision ("could not find target
 * revision").
 *
 * <p>So the file holds the profile and {@code values.global.istioNamespace} alone: no other value, sensitive or not,
 * leaves the state for it. Where the state holds a digest of a value uninstall needs, the value is the one candidate
 * whose digest it is (a digest is keyed by its path, so a match proves the value): the cluster's namespaces, its
 * control planes' revisions, true or false for {@code purge}. A digested profile is left out (the default profile
 * selects the same objects).
 */
final class UninstallOperator {
    static final String NAMESPACE = "/values/global/istioNamespace";

    private UninstallOperator() {
    }

    /** istioctl's arguments after {@code uninstall -y}, and the IstioOperator for {@code -f} (null when there is none). */
    record Command(List<String> args, ObjectNode operator) {
    }

    /** How to uninstall the recorded install: {@code --purge}, {@code --revision} or {@code -f}. */
    static Command command(String address, JsonNode recorded, KubernetesClient client) {
        return command(address, recorded, () -> revisions(client), () -> namespaces(client));
    }

    /**
     * {@link #command(String, JsonNode, KubernetesClient)} with the cluster's control plane revisions and namespaces
     * read through the suppliers, each at most once and only when needed.
     *
     * <p>An install without a revision is the {@code default} revision. {@code -f} alone selects by the owning
     * namespace only (GetPrunedResources adds {@code istio.io/rev} only for {@code --revision}), so beside another
     * control plane, a canary's {@code istiod-1-31} say, it would remove that one too; then {@code --revision default}
     * joins the file and only the default revision's objects go (uninstall.go accepts "default" for a revision that
     * a webhook without, or with that, {@code istio.io/rev} names).
     */
    static Command command(String address, JsonNode recorded, Supplier<Collection<String>> revisions,
                           Supplier<Collection<String>> namespaces) {
        List<String> args = new ArrayList<>(List.of("uninstall", "-y"));
        if (purge(address, recorded)) {
            args.add("--purge");
            return new Command(args, null);
        }
        Supplier<Collection<String>> cluster = once(revisions);
        String revision = revision(address, recorded, cluster);
        if (revision != null) {
            args.addAll(List.of("--revision", revision));
            return new Command(args, null);
        }
        if (cluster.get().stream().anyMatch(r -> !DEFAULT_REVISION.equals(r))) {
            args.addAll(List.of("--revision", DEFAULT_REVISION));
        }
        return new Command(args, of(address, recorded, namespaces));
    }

    /** The revision Istio gives an install without one (istioctl/pkg/tag DefaultRevisionName). */
    static final String DEFAULT_REVISION = "default";

    private static <T> Supplier<T> once(Supplier<T> read) {
        return new Supplier<>() {
            private T value;

            @Override
            public T get() {
                if (value == null) {
                    value = read.get();
                }
                return value;
            }
        };
    }

    private static Collection<String> namespaces(KubernetesClient client) {
        return client.namespaces().list().getItems().stream().map(n -> n.getMetadata().getName()).toList();
    }

    /** The revisions of the cluster's control planes: their istiod Deployments' {@code istio.io/rev}. */
    private static Collection<String> revisions(KubernetesClient client) {
        return client.apps().deployments().inAnyNamespace().withLabel("app", "istiod").list().getItems().stream()
                .map(d -> d.getMetadata().getLabels().get("istio.io/rev")).filter(java.util.Objects::nonNull).distinct().toList();
    }

    /** The IstioOperator for {@code istioctl uninstall -f}; {@code namespaces}: the cluster's, read to recover a digested one. */
    static ObjectNode of(String address, JsonNode recorded, Supplier<Collection<String>> namespaces) {
        ObjectNode iop = Json.object();
        iop.put("apiVersion", "install.istio.io/v1alpha1");
        iop.put("kind", "IstioOperator");
        ObjectNode spec = iop.putObject("spec");
        JsonNode profile = recorded.get("profile");
        if (profile != null && profile.isString() && !Sensitive.isDigest(profile)) {
            spec.put("profile", profile.asString());
        }
        JsonNode namespace = recorded.at(NAMESPACE);
        if (namespace.isString()) {
            String ns = value(address, recorded, NAMESPACE, namespaces, "namespace in the cluster",
                    "istioctl uninstall removes the objects labelled with the install's namespace");
            spec.putObject("values").putObject("global").put("istioNamespace", ns);
        }
        return iop;
    }

    /** The recorded revision, in clear; {@code revisions}: the cluster's control planes', read to recover a digested one. */
    static String revision(String address, JsonNode recorded, Supplier<Collection<String>> revisions) {
        return Json.text(recorded, "revision") == null ? null : value(address, recorded, "/revision", revisions,
                "control plane revision in the cluster", "istioctl uninstall --revision removes the objects of that revision");
    }

    /** Whether the recorded install asks for {@code --purge}, a digest of true or false recovered. */
    static boolean purge(String address, JsonNode recorded) {
        JsonNode purge = recorded.get("purge");
        if (purge != null && Sensitive.isDigest(purge)) {
            return Boolean.parseBoolean(value(address, recorded, "/purge", () -> List.of("true", "false"), "boolean",
                    "istioctl uninstall --purge removes every Istio object"));
        }
        return Json.bool(recorded, "purge");
    }

    /** The value at {@code pointer}; a digest there is recovered from the candidates, read only then. */
    private static String value(String address, JsonNode recorded, String pointer, Supplier<Collection<String>> candidates,
                                String what, String why) {
        JsonNode v = recorded.at(pointer);
        if (!Sensitive.isDigest(v)) {
            return v.asString();
        }
        return recover(recorded, pointer, candidates.get()).orElseThrow(() -> KubeErrors.error(address + ": cannot uninstall:"
                        + " the state records " + pointer.substring(1).replace('/', '.') + " as a sensitive value's digest,"
                        + " and no " + what + " has that digest",
                why + " (Istio 1.30.3, operator/pkg/uninstall/prune.go GetPrunedResources), so the value itself is needed."
                        + " Run istioctl uninstall yourself with the value, then forget the install with"
                        + " `meshform state rm " + address + "`"));
    }

    /** The candidate whose digest at {@code pointer} is the one recorded there ({@link Sensitive#restore}). */
    static Optional<String> recover(JsonNode recorded, String pointer, Collection<String> candidates) {
        for (String c : candidates) {
            JsonNode declared = SpecPointers.with(recorded, Map.of(pointer, StringNode.valueOf(c)));
            JsonNode restored = Sensitive.restore(recorded, declared).at(pointer);
            if (restored.isString() && restored.asString().equals(c)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
