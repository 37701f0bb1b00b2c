package io.meshform.providers.kubernetes;

import io.meshform.engine.spi.ApplyRequest;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * What a manifest's {@code wait} asks for after its apply: a status condition that is True, or a field (dotted path)
 * holding a value, within {@code timeoutSeconds} (300 when not written). kubectl's {@code wait --for=condition=X} and
 * {@code --for=jsonpath=...} are the same two questions.
 */
record ManifestWait(String condition, String field, String value, long seconds) {
    static final long DEFAULT_SECONDS = 300;

    /** What a read saw of a manifest with a wait: whether the live object held it ({@link OwedWait}). */
    record Seen(boolean holds) {
    }

    static ManifestWait of(JsonNode wait) {
        return new ManifestWait(Json.text(wait, "condition"), Json.text(wait, "field"), Json.text(wait, "value"),
                wait.has("timeoutSeconds") ? wait.get("timeoutSeconds").longValue() : DEFAULT_SECONDS);
    }

    /** Checks a manifest's {@code wait} field ({@code /wait}), when it has one. */
    static void validate(JsonNode wait, SpecChecker c) {
        if (wait == null || wait.isNull() || !c.object(wait, "/wait", "`wait`")) {
            return;
        }
        c.knownKeys(wait, "/wait", "wait", java.util.List.of("condition", "field", "value", "timeoutSeconds"));
        boolean byField = wait.has("field");
        if (byField == wait.has("condition")) {
            c.error("/wait", "`wait` needs either `condition` or `field` with `value`",
                    "e.g. wait: {condition: Available} or wait: {field: status.phase, value: Active}");
        } else if (byField) {
            c.string(wait, "/wait", "field", true);
            c.string(wait, "/wait", "value", true);
        } else {
            c.oneOf(wait, "/wait", "condition", true, ManifestType.CONDITIONS);
        }
        JsonNode t = wait.get("timeoutSeconds");
        if (t != null && (!t.isIntegralNumber() || t.intValue() < 1)) {
            c.error("/wait/timeoutSeconds", "timeoutSeconds must be a positive whole number");
        }
    }

    boolean holds(JsonNode obj) {
        if (condition != null) {
            return KubeObjects.hasCondition(obj, condition);
        }
        JsonNode at = obj;
        for (String part : field.split("\\.")) {
            at = at.path(part);
        }
        return !at.isMissingNode() && !at.isNull() && value.equals(at.asString());
    }

    /** Waits (watching the object) until it holds; an error naming the object when it does not in time. */
    void await(KubeConnection kube, ApplyRequest request, KubeObjects.Target t) {
        request.progress().note("waiting up to " + seconds + "s for " + t.describe() + ": " + this);
        var op = BuiltInKinds.operation(kube.client(), t.apiVersion(), t.kind());
        var res = t.namespace() == null ? op.withName(t.name()) : op.inNamespace(t.namespace()).withName(t.name());
        try {
            res.waitUntilCondition(o -> o != null && holds(Json.toNode(o)), seconds, TimeUnit.SECONDS);
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            throw KubeErrors.error(request.address() + ": " + t.describe() + " was applied but is not " + this
                    + " after " + seconds + "s", "meshform did not record it, so the next plan shows the wait as still owed (the object"
                    + " \"will be waited for\" before the resources that depend on it); check `kubectl describe` and apply again");
        }
    }

    @Override
    public String toString() {
        return condition != null ? condition : field + " = " + value;
    }
}
