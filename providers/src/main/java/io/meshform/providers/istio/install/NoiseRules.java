package io.meshform.providers.istio.install;

import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.ServerFields;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What never counts as a difference between a rendered Istio object and the live one: fields istiod, istioctl or an
 * autoscaler set after install, the server's own fields, and the empty or zero values the charts render but the
 * server does not store. Each rule is a line of {@link #RULES}: which objects, which fields, and why.
 */
public final class NoiseRules {
    private NoiseRules() {
    }

    /** One rule: the objects it concerns, the fields it drops (dotted paths, {@code []} for every element) and why. */
    record Rule(String why, Predicate<JsonNode> concerns, List<String> paths) {
    }

    private static final Predicate<JsonNode> ANY = o -> true;
    private static final Predicate<JsonNode> WEBHOOKS = o -> Json.text(o, "kind", "").endsWith("WebhookConfiguration");
    private static final Predicate<JsonNode> INJECTOR_WEBHOOKS = WEBHOOKS.and(
            o -> "sidecar-injector".equals(o.path("metadata").path("labels").path("app").asString("")));

    /** The rules, in the order they apply; the server's own fields ({@link ServerFields}) and empty values go too. */
    static final List<Rule> RULES = List.of(
            new Rule("istiod sets its webhooks' failurePolicy once it serves them", WEBHOOKS,
                    List.of("webhooks[].failurePolicy")),
            new Rule("istiod writes its CA bundle into its webhooks", WEBHOOKS, List.of("webhooks[].clientConfig.caBundle")),
            new Rule("istioctl install moves injection to the istio-revision-tag-default webhook and sets these selectors to"
                    + " never match on the revision's own webhook", INJECTOR_WEBHOOKS,
                    List.of("webhooks[].namespaceSelector", "webhooks[].objectSelector")),
            new Rule("the HorizontalPodAutoscaler owns the replica count", ANY, List.of("spec.replicas")));

    /**
     * The object without what never counts as a difference: the charts' empty values, every {@link #RULES} field of the
     * rules that concern it, and the server's own fields.
     */
    static JsonNode ignored(JsonNode obj) {
        ObjectNode o = Json.copy(obj);
        dropEmpty(o);
        for (Rule r : RULES) {
            if (r.concerns().test(o)) {
                r.paths().forEach(p -> remove(o, p.split("\\.")));
            }
        }
        return ServerFields.strip(o);
    }

    /** Removes the field at {@code path} (a segment ending in {@code []} walks every element of that list). */
    private static void remove(JsonNode node, String[] path) {
        if (!(node instanceof ObjectNode o)) {
            return;
        }
        String head = path[0];
        if (path.length == 1) {
            o.remove(head);
            return;
        }
        String[] tail = java.util.Arrays.copyOfRange(path, 1, path.length);
        if (head.endsWith("[]")) {
            o.path(head.substring(0, head.length() - 2)).forEach(e -> remove(e, tail));
        } else {
            remove(o.get(head), tail);
        }
    }

    /**
     * Drops 0 and false from the wanted object where the live one has nothing: the API server omits zero values of
     * optional fields (a sample's {@code initialDelaySeconds: 0} is stored as absent), which is not a difference.
     */
    static JsonNode withoutZeroesMissingIn(JsonNode want, JsonNode live) {
        if (want instanceof ObjectNode w) {
            List<String> zeroes = new ArrayList<>();
            w.properties().forEach(e -> {
                JsonNode v = e.getValue();
                JsonNode l = live == null ? null : live.get(e.getKey());
                if ((l == null || l.isNull()) && ((v.isNumber() && v.decimalValue().signum() == 0) || (v.isBoolean() && !v.booleanValue()))) {
                    zeroes.add(e.getKey());
                } else {
                    withoutZeroesMissingIn(v, l);
                }
            });
            zeroes.forEach(w::remove);
        } else if (want != null && want.isArray()) {
            for (int i = 0; i < want.size(); i++) {
                withoutZeroesMissingIn(want.get(i), live != null && live.isArray() && i < live.size() ? live.get(i) : null);
            }
        }
        return want;
    }

    private static void dropEmpty(JsonNode node) {
        if (node instanceof ObjectNode o) {
            List<String> empty = new ArrayList<>();
            o.properties().forEach(e -> {
                JsonNode v = e.getValue();
                if (v.isNull() || (v.isString() && v.asString().isEmpty())) {
                    empty.add(e.getKey());
                } else {
                    dropEmpty(v);
                }
            });
            empty.forEach(o::remove);
        } else if (node != null && node.isArray()) {
            node.forEach(NoiseRules::dropEmpty);
        }
    }
}
