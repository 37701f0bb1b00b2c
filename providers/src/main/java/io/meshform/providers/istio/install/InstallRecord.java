package io.meshform.providers.istio.install;

import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.istio.core.IstioRelease;
import io.meshform.providers.istio.core.Istioctl;
import io.meshform.providers.istio.injection.ProxySkew;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import io.meshform.providers.istio.install.IstioAddons.Addon;
import io.meshform.providers.istio.install.IstioAddons.AddonObject;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.AppliedResource;
import io.meshform.engine.spi.ApplyRequest;
import io.meshform.engine.spi.DeleteRequest;
import io.meshform.engine.spi.FieldProblem;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.PlanDetail;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.ReadRequest;
import io.meshform.engine.spi.StackContext;
import io.meshform.engine.spi.PlannedChange;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.engine.spi.ResourceType;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.KubeErrors;
import io.meshform.providers.kubernetes.KubeObjects;
import io.meshform.providers.kubernetes.KubeObjects.Target;
import io.meshform.providers.kubernetes.ParallelLists;
import io.meshform.providers.kubernetes.RestartSettings;
import io.meshform.providers.kubernetes.ServerFields;
import io.meshform.providers.kubernetes.SpecChecker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * What state records of an install beside its spec (the resource's metadata): the digests of istioctl's render and
 * of the addons, the addon objects applied, the istioctl release and the revision. A plan compares a new render with
 * these to say what changed.
 */
public final class InstallRecord {
    private InstallRecord() {
    }

    /** The digest of istioctl's render alone, recorded beside the combined one so a plan can say which part changed. */
    static final String ISTIO_DIGEST = "istioDigest";

    static final String ADDONS_DIGEST = "addonsDigest";

    /**
     * "rendered manifests changed", "addons changed", or both, from the digests recorded at the last apply (a state
     * from before these were recorded counts as a render change).
     */
    static String whatChanged(Map<String, String> recorded, RenderDiff.Render render, Map<Addon, List<ObjectNode>> wanted) {
        String istio = recorded.get(ISTIO_DIGEST);
        boolean renderChanged = istio == null || !istio.equals(render.digest());
        boolean addonsChanged = istio != null && !recorded.getOrDefault(ADDONS_DIGEST, "").equals(addonsDigest(wanted));
        return renderChanged && addonsChanged ? "rendered manifests and addons changed"
                : addonsChanged ? "addons changed" : "rendered manifests changed";
    }

    static String addonsDigest(Map<Addon, List<ObjectNode>> wanted) {
        return wanted.isEmpty() ? "" : IstioAddons.digest(wanted);
    }

    /** The render digest, with the addon objects folded in when there are any (so a changed sample file plans an update). */
    static String digest(RenderDiff.Render render, Map<Addon, List<ObjectNode>> wanted) {
        return wanted.isEmpty() ? render.digest() : "sha256:" + Json.sha256(render.digest() + "\n" + IstioAddons.digest(wanted));
    }
}
