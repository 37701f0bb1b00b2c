package io.meshform.providers.istio.injection;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.DependencyRule;
import io.meshform.engine.spi.StackContext;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.LabelsType;
import io.meshform.providers.kubernetes.ManifestType;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * A {@code kubernetes.labels} that sets injection labels comes after the stack's {@code kubernetes.manifest}s that
 * write what picks and configures the injector (a MutatingWebhookConfiguration, a revision tag's among them, or an
 * {@code istio-sidecar-injector[-REV]} ConfigMap: {@link InjectorRead#staleAfter}). Its restarts read the injectors
 * ({@link InjectorRead#once}); in the same apply, they must read them as those manifests leave them, not race them.
 *
 * <p>Not for a {@code kubernetes.namespace}: the injector ConfigMap lives in a namespace the stack may declare with an
 * injection label ({@code istio-injection: disabled} on istio-system), which would make a cycle. A manifest that
 * depends on the labels resource through {@code dependsOn} is left as the file orders it.
 */
public final class InjectorManifestsFirst implements DependencyRule {

    @Override
    public Set<ResourceAddress> dependencies(ResourceDecl resource, Stack stack) {
        if (!resource.type().equals(LabelsType.NAME)
                || Json.stringMap(resource.spec().get("labels")).keySet().stream().noneMatch(Injection.LABELS::contains)) {
            return Set.of();
        }
        Set<ResourceAddress> manifests = new TreeSet<>();
        for (ResourceDecl m : stack.ofType(ManifestType.NAME)) {
            if (writesInjectors(m.spec().get("manifest")) && !dependsOn(m, resource.address(), stack)) {
                manifests.add(m.address());
            }
        }
        return manifests;
    }

    private static boolean writesInjectors(JsonNode m) {
        if (m == null || !m.isObject()) {
            return false;
        }
        return InjectorRead.staleAfter(new StackContext.Written(Json.text(m, "apiVersion", ""), Json.text(m, "kind", ""),
                Json.text(m.path("metadata"), "namespace"), Json.text(m.path("metadata"), "name")));
    }

    /** Whether {@code from} comes after {@code target} through the file's dependsOn, directly or not. */
    private static boolean dependsOn(ResourceDecl from, ResourceAddress target, Stack stack) {
        Deque<ResourceAddress> todo = new ArrayDeque<>(from.dependsOn());
        Set<ResourceAddress> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            ResourceAddress a = todo.pop();
            if (a.equals(target)) {
                return true;
            }
            if (seen.add(a)) {
                stack.find(a).ifPresent(d -> todo.addAll(d.dependsOn()));
            }
        }
        return false;
    }
}
