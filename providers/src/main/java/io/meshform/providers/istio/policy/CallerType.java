package io.meshform.providers.istio.policy;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.AppliedResource;
import io.meshform.engine.spi.ApplyRequest;
import io.meshform.engine.spi.DeleteRequest;
import io.meshform.engine.spi.FieldProblem;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.PlannedChange;
import io.meshform.engine.spi.ReadRequest;
import io.meshform.engine.spi.ResourceType;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.SpecChecker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * {@code istio.caller}: a client of the mesh that is no pod of the cluster (ingress that reaches pods without a mesh
 * gateway, a monitoring scraper on the nodes, a service in another cluster), declared so the mTLS reachability
 * preview counts its connections. It creates nothing in the cluster: meshform records it in state, so drift compares
 * against the callers that were applied. Example:
 * <pre>
 * - type: istio.caller
 *   name: node-scraper
 *   spec:
 *     description: Prometheus on the nodes scrapes every pod's metrics port
 *     sends: plaintext          # plaintext (default), istio-mtls (it holds mesh certificates), tls (its own TLS)
 *     calls:
 *       - namespace: cortex     # optional: every namespace
 *         selector: {app: api}  # optional: labels the pods have
 *         ports: [9090]         # optional: every port (Service port or container port)
 * </pre>
 */
public final class CallerType implements ResourceType {
    public static final String NAME = "istio.caller";
    static final List<String> SENDS = List.of("plaintext", "istio-mtls", "tls");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<FieldProblem> validate(JsonNode spec) {
        SpecChecker c = new SpecChecker();
        if (!c.spec(spec, NAME, List.of("description", "sends", "calls"))) {
            return c.problems();
        }
        c.string(spec, "", "description", false);
        c.oneOf(spec, "", "sends", false, SENDS);
        JsonNode calls = spec.get("calls");
        if (calls == null || calls.isNull()) {
            c.error("/calls", "missing required field `calls`", "list what the caller calls, e.g. calls: [{namespace: cortex,"
                    + " selector: {app: api}, ports: [8080]}]; {} calls every pod");
            return c.problems();
        }
        if (!calls.isArray() || calls.isEmpty()) {
            c.error("/calls", "`calls` must be a non-empty list of targets", "found " + SpecChecker.describe(calls));
            return c.problems();
        }
        for (int i = 0; i < calls.size(); i++) {
            String at = "/calls/" + i;
            JsonNode t = calls.get(i);
            if (!c.object(t, at, "a target")) {
                continue;
            }
            c.knownKeys(t, at, "a caller's target", List.of("namespace", "selector", "ports"));
            c.dnsLabel(c.string(t, at, "namespace", false), at + "/namespace", "namespace");
            c.labelMap(t, at, "selector", true);
            JsonNode ports = t.get("ports");
            if (ports != null && !ports.isNull()) {
                if (!ports.isArray()) {
                    c.error(at + "/ports", "`ports` must be a list of port numbers", "found " + SpecChecker.describe(ports));
                    continue;
                }
                for (int j = 0; j < ports.size(); j++) {
                    JsonNode p = ports.get(j);
                    if (!p.isIntegralNumber() || p.asInt() < 1 || p.asInt() > 65535) {
                        c.error(at + "/ports/" + j, "a port must be a number from 1 to 65535", "found " + SpecChecker.describe(p));
                    }
                }
            }
        }
        return c.problems();
    }

    /** The caller a declared (or recorded) spec describes. */
    public static OutsideCaller caller(ResourceAddress address, JsonNode spec) {
        ClientTls.Sends sends = switch (Json.text(spec, "sends", "plaintext")) {
            case "istio-mtls" -> ClientTls.Sends.ISTIO_MTLS;
            case "tls" -> ClientTls.Sends.OTHER_TLS;
            default -> ClientTls.Sends.PLAINTEXT;
        };
        List<OutsideCaller.Target> targets = new ArrayList<>();
        for (JsonNode t : spec.path("calls")) {
            List<Integer> ports = new ArrayList<>();
            t.path("ports").forEach(p -> ports.add(p.asInt()));
            Map<String, String> selector = Json.stringMap(t.path("selector"));
            targets.add(new OutsideCaller.Target(Json.text(t, "namespace"), selector, ports));
        }
        return new OutsideCaller(address.name(), sends, targets, address.toString());
    }

    /** Nothing lives in the cluster: what state recorded is all there is. */
    @Override
    public Map<ResourceAddress, LiveObject> read(ReadRequest request) {
        return Map.of();
    }

    @Override
    public PlannedChange plan(PlanRequest request) {
        JsonNode recorded = request.recorded() == null ? null : request.recorded().attributes();
        if (recorded == null) {
            return PlannedChange.of(Action.CREATE, "declare a caller from outside the mesh (recorded in state only; nothing"
                    + " is created in the cluster)", null, request.desired());
        }
        if (Json.sameValue(recorded, request.desired())) {
            return PlannedChange.of(Action.NOOP, "unchanged", recorded, request.desired());
        }
        return PlannedChange.of(Action.UPDATE, Json.changedReason("", Json.paths(recorded, request.desired())),
                recorded, request.desired());
    }

    @Override
    public AppliedResource apply(ApplyRequest request) {
        return new AppliedResource(request.desired(), Map.of());
    }

    @Override
    public void delete(DeleteRequest request) {
        // nothing in the cluster to remove
    }
}
