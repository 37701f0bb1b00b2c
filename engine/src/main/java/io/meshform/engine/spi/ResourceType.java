package io.meshform.engine.spi;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * One kind of resource meshform manages ({@code kubernetes.labels}, {@code istio.peerAuthentication}, ...).
 * The engine decides order, records state and renders plans; the type only knows its own objects. Types are
 * stateless: one instance may serve several runs, in any order of calls, and each request carries the stack it is
 * for ({@link StackContext}).
 */
public interface ResourceType {

    /** The type name used in desired-state files, {@code provider.kind}. */
    String name();

    /** Local checks of a spec, before anything is read from the cluster. */
    List<FieldProblem> validate(JsonNode spec);

    /**
     * Edges the user does not have to write, e.g. a policy on the Istio install of the same stack. Only edges: nothing
     * learnt here is kept for later calls. Edges a type cannot name (another provider's types) come from that
     * provider's {@link Provider#dependencyRules()}.
     */
    default Set<ResourceAddress> implicitDependencies(ResourceDecl resource, Stack stack) {
        return Set.of();
    }

    /**
     * Reads the live objects of many resources at once (one LIST per kind and namespace, not a GET each).
     * Resources whose object does not exist are absent from the result. What {@code plan} will need from the objects
     * read goes into {@link LiveObject#data()}, not into fields of the type.
     */
    Map<ResourceAddress, LiveObject> read(ReadRequest request);

    /**
     * Computes the change for one resource. The engine calls this only when the resource is declared; deletes
     * of undeclared resources and requested replacements are decided by the engine. It may be called on a type
     * that saw no other call before (drift, a saved plan's check): everything it needs is in the request.
     */
    PlannedChange plan(PlanRequest request);

    AppliedResource apply(ApplyRequest request);

    void delete(DeleteRequest request);

    /**
     * What removing this recorded resource will do when it is not simply "delete the object", for the plan to say
     * (e.g. an adopted namespace that stays); empty by default.
     */
    default Optional<String> deleteEffect(io.meshform.state.ResourceState recorded) {
        return Optional.empty();
    }

    /** Adopts an existing object (the id is type-specific, e.g. {@code namespace/name}); empty when absent. */
    default Optional<AppliedResource> importExisting(String id) {
        return Optional.empty();
    }

    /** Spec paths (JSON Pointers) whose values never reach plan output or state in clear text. */
    default Set<String> sensitivePaths() {
        return Set.of();
    }
}
