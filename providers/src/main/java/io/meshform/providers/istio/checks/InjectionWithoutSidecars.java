package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.engine.spi.PlanDetail;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.istio.injection.Injection;
import io.meshform.providers.istio.injection.InjectionImpact;
import io.meshform.providers.istio.injection.Injectors;
import io.meshform.providers.istio.injection.LivePod;
import io.meshform.providers.istio.injection.ProxyRequests;
import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * Mesh safety check: a namespace the stack keeps sidecar injection on for, whose running pods have no sidecar.
 * Injection happens only when a pod is created, so these pods run outside the mesh (and STRICT mTLS refuses their
 * traffic) until restarted. The plan of a labels change that turns injection on lists the same pods; this check
 * covers namespaces where injection is already on (later plans, and drift), so they are never reported twice.
 */
public final class InjectionWithoutSidecars implements PlanCheck, ReadsInstall {

    /** The reads the check makes: one LIST of namespaces, then one LIST of pods per namespace with injection on. */
    interface Live {
        /** Labels by namespace name. */
        Map<String, Map<String, String>> namespaceLabels();

        List<LivePod> pods(String namespace);

        /** The installed injectors, read only for a namespace the stack labels for injection. */
        default Injectors injectors() {
            return Injectors.UNKNOWN;
        }
    }

    private final java.util.function.Function<CheckContext, Live> live;

    InjectionWithoutSidecars(java.util.function.Function<CheckContext, Live> live) {
        this.live = live;
    }

    @Override
    public String name() {
        return "injection-without-sidecars";
    }

    @Override
    public List<Diagnostic> check(CheckContext ctx) {
        return check(ctx, live.apply(ctx));
    }

    /** {@link Live} from the run's {@link ClusterView}: the one LIST of namespaces and of pods every check shares. */
    record FromView(ClusterView view) implements Live {
        @Override
        public Map<String, Map<String, String>> namespaceLabels() {
            return view.namespaces();
        }

        @Override
        public List<LivePod> pods(String namespace) {
            return view.pods().stream().filter(p -> namespace.equals(p.namespace())).toList();
        }

        @Override
        public Injectors injectors() {
            return view.injectors();
        }
    }

    static List<Diagnostic> check(CheckContext ctx, Live live) {
        Map<String, Map<String, String>> declared = new TreeMap<>();
        Map<String, ResourceDecl> firstDecl = new HashMap<>();
        for (String type : List.of(CheckSupport.LABELS_TYPE, CheckSupport.NAMESPACE_TYPE)) {
            for (ResourceDecl d : ctx.declared(type)) {
                JsonNode s = CheckSupport.after(ctx, d);
                String ns = Json.text(s, "name");
                if (ns == null || (type.equals(CheckSupport.LABELS_TYPE) && !"Namespace".equals(Json.text(s, "kind", "Namespace")))) {
                    continue;
                }
                declared.computeIfAbsent(ns, k -> new TreeMap<>()).putAll(Json.stringMap(s.get("labels")));
                firstDecl.putIfAbsent(ns, d);
            }
        }
        ProxyRequests requests = ctx.declared(Mesh.INSTALL_TYPE).stream().findFirst()
                .map(d -> ProxyRequests.from(CheckSupport.after(ctx, d))).orElse(ProxyRequests.DEFAULT);
        List<Diagnostic> out = new ArrayList<>();
        if (declared.values().stream().noneMatch(l -> Injection.of(l).enabled())) {
            return out;
        }
        Map<String, Map<String, String>> namespaces = live.namespaceLabels();
        // the revisions the stack installs count as installed, as in the labels' own plan
        Injectors injectors = live.injectors().plusInstalls(ctx.declared(Mesh.INSTALL_TYPE).stream()
                .map(d -> CheckSupport.after(ctx, d)).toList());
        declared.forEach((ns, labels) -> {
            if (!Injection.of(labels).enabled()) {
                return;
            }
            Map<String, String> liveLabels = namespaces.get(ns);
            if (liveLabels == null || !Injection.of(liveLabels).enabled()) {
                return; // absent, or injection turns on in this plan: that resource's plan lists the pods
            }
            Map<String, String> after = new LinkedHashMap<>(liveLabels);
            after.putAll(labels);
            if (!Injection.of(after).enabled()) {
                return;
            }
            if (!injectors.effective(after).enabled()) {
                // no webhook answers to the revision the namespace names: its pods get no sidecar when restarted either.
                // Where this plan changes the label to that name, the labels resource's plan warns instead.
                if (injectors.missing(liveLabels).equals(injectors.missing(after))) {
                    out.add(missingRevision(firstDecl.get(ns), ns, injectors.missing(after).orElseThrow(), injectors));
                }
                return;
            }
            // the pods the injector gives a sidecar when restarted: under its policy disabled, only those that ask
            InjectionImpact impact = InjectionImpact.of(ns, after, injectors, live.pods(ns));
            if (!impact.isEmpty()) {
                out.add(warning(firstDecl.get(ns), impact, requests, Injectors.assumedNote(injectors.assumed(List.of(after)))));
            }
        });
        return out;
    }

    private static Diagnostic missingRevision(ResourceDecl d, String namespace, String name, Injectors injectors) {
        return Diagnostic.warning(d.address() + ": namespace " + namespace + " asks for sidecar injection by " + name
                        + ", which names no installed Istio revision or tag (installed: " + injectors.describe() + ")",
                "no injector webhook selects the namespace, so Istio gives its pods no sidecar, restarted or new. Install"
                        + " revision " + name + " (or `istioctl tag set " + name + " --revision REV`), or label the namespace"
                        + " with an installed revision or tag",
                CheckSupport.range(d, "/spec/labels"));
    }

    private static Diagnostic warning(ResourceDecl d, InjectionImpact impact, ProxyRequests requests,
                                      java.util.Optional<String> assumed) {
        List<PlanDetail> details = impact.details(requests);
        // the first line is the summary's
        List<String> lines = new ArrayList<>(details.subList(1, details.size()).stream().map(PlanDetail::line).toList());
        String first = impact.workloads().keySet().stream().findFirst()
                .map(w -> "kubectl rollout restart " + w.kind().toLowerCase() + "/" + w.name() + " -n " + w.namespace())
                .orElse("kubectl delete pod ...");
        lines.add("a pod gets its sidecar only when it is created: restart them (e.g. `" + first + "`; restartWorkloads: true"
                + " on " + d.address() + " does it when meshform turns injection on). If restarted pods still start without"
                + " one, the injector webhook did not run: check istiod, and that the namespace's injection label matches"
                + " the installed revision");
        assumed.ifPresent(lines::add);
        return Diagnostic.warning(d.address() + ": sidecar injection is on for namespace " + impact.namespace() + ", but "
                        + impact.pods() + " running pod(s) have no sidecar", String.join("\n", lines),
                CheckSupport.range(d, "/spec/labels"));
    }

    /** The revisions the stack installs and the sidecar requests its install gives ({@link io.meshform.providers.istio.injection.ProxyRequests#from}). */
    @Override
    public java.util.Set<String> installFields() {
        return java.util.Set.of("/revision", "/profile", "/values/global/proxy/resources/requests",
                Injectors.NAMESPACES_BY_DEFAULT, Injectors.AUTO_INJECT, Injectors.NEVER_INJECT, Injectors.ALWAYS_INJECT);
    }
}
