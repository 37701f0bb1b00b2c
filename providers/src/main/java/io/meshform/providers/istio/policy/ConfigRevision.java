package io.meshform.providers.istio.policy;

import io.meshform.providers.kubernetes.Json;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Which istiod reads an Istio config object (a PeerAuthentication, an AuthorizationPolicy, a DestinationRule...). Each
 * istiod watches config through a client that keeps only the objects "in this revision" ({@code inRevision},
 * pilot/pkg/config/kube/crdclient/client.go, Istio 1.30.3): {@code LabelsInRevision} (pkg/config/model.go) takes an
 * object without the {@code istio.io/rev} label ("a global object, and always included"), and one with it only when
 * the label equals the istiod's own revision. That revision is its {@code REVISION}, which the chart sets to the
 * install's revision or {@code default} (manifests/charts/istio-control/istio-discovery/templates/deployment.yaml, as
 * the Deployment's {@code istio.io/rev} label). A revision tag does not count ({@code inRevision} calls
 * {@code LabelsInRevision}, not {@code LabelsInRevisionOrTags}). So an object labelled with a revision no istiod serves
 * is ignored everywhere: the test bed's istiod (revision default) gave a pod PERMISSIVE under a mesh-wide STRICT
 * PeerAuthentication labelled {@code istio.io/rev: canary}, and STRICT once the label said {@code default} or was
 * removed.
 *
 * <p>During a canary each revision's istiod reads its own share, and configures only the proxies connected to it: a
 * proxy connects to the istiod of the revision that injected it ({@code discoveryAddress: istiod-REV} in that
 * revision's mesh config, manifests/charts/istio-control/istio-discovery/templates/configmap.yaml, the injector
 * writing {@code istio.io/rev: REV} on the pod beside it, {@code Sidecars.revisionOf}). So an object labelled for one
 * running revision acts on that revision's proxies alone: {@link #readBy} is the one rule every model asks (server
 * side: PeerAuthentication and AuthorizationPolicy by the server's revision; client side: DestinationRule and the
 * PeerAuthentications auto mTLS reads by the client's).
 */
public final class ConfigRevision {
    /** The label that ties a config object to one control plane. */
    public static final String LABEL = "istio.io/rev";

    private ConfigRevision() {
    }

    /** The object's {@code istio.io/rev} label, null when it has none. */
    public static String of(JsonNode object) {
        return Json.text(object.path("metadata").path("labels"), LABEL);
    }

    /**
     * Whether every istiod ignores an object labelled {@code revision} (null: unlabelled), the revisions served being
     * {@code served}; an empty {@code served} means they are not known, and nothing is said ignored.
     */
    public static boolean ignored(String revision, Set<String> served) {
        return revision != null && !served.isEmpty() && !served.contains(revision);
    }

    /**
     * Whether the istiod of {@code proxyRevision} (the revision serving a proxy; null: not known) reads an object
     * labelled {@code revision} (null: unlabelled): {@code LabelsInRevision(labels, rev)} (pkg/config/model.go), an
     * unknown proxy revision counting as istiod's empty revision, which reads every object.
     */
    public static boolean readBy(String revision, String proxyRevision) {
        return revision == null || proxyRevision == null || proxyRevision.equals(revision);
    }

    /**
     * The revisions to judge labelled objects under: those served ({@code served}, as the run knows them); when none is
     * known (validate), each revision an object is labelled with ({@code labels}, nulls for unlabelled ones), and
     * {@code ""} for an istiod that reads only the unlabelled ones.
     */
    public static java.util.Set<String> judged(Set<String> served, java.util.stream.Stream<String> labels) {
        java.util.Set<String> revisions = new java.util.TreeSet<>(served);
        if (revisions.isEmpty()) {
            labels.filter(java.util.Objects::nonNull).forEach(revisions::add);
            revisions.add("");
        }
        return revisions;
    }
}
