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
     * Why this type's steps in one apply must run one at a time, when they must: they share what the dependency graph
     * does not show (every {@code istioctl install} and {@code uninstall} writes the cluster's shared Istio objects). The
     * engine then runs them in the plan's order, creates and updates before deletes, each after the one before has
     * finished, and the plan says so with this reason ({@code SerialSteps}). Empty, the default: they run side by side
     * where the graph allows.
     */
    default Optional<String> oneAtATime() {
        return Optional.empty();
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
     * Stops managing an adopted object (one meshform took over with {@code adopt: true} or {@code meshform import})
     * without deleting it: remove only what meshform added where that matters (its mark, labels it owns). The default
     * leaves the object as it is.
     */
    default void release(DeleteRequest request) {
    }

    /**
     * What removing this recorded resource will do when it is not simply "delete the object", for the plan to say
     * (e.g. an adopted namespace that stays); empty by default.
     */
    default Optional<String> deleteEffect(io.meshform.state.ResourceState recorded) {
        return Optional.empty();
    }

    /**
     * The lines the plan shows under the delete of this recorded resource, beyond its value: the objects behind it that
     * the delete changes (e.g. the workloads a labels delete restarts), with warnings about them added to
     * {@code warnings}. {@code live} is the object as this plan read it, never null. None by default. A delete retried
     * after one cut short lists what is still to do, so the plan that retries it says what it will touch as the first
     * one did.
     */
    default List<PlanDetail> deleteDetails(ResourceAddress address, io.meshform.state.ResourceState recorded, LiveObject live,
                                           StackContext context, List<String> warnings) {
        return List.of();
    }

    /**
     * The lines the plan shows under the {@link #release} of this recorded, adopted resource, as {@link #deleteDetails}
     * does for a delete (e.g. the workloads an adopted namespace's release restarts when it removes its injection
     * label). None by default.
     */
    default List<PlanDetail> releaseDetails(ResourceAddress address, io.meshform.state.ResourceState recorded, LiveObject live,
                                            StackContext context, List<String> warnings) {
        return List.of();
    }

    /**
     * What {@link #release} of this recorded, adopted resource will do beyond leaving the object, for the plan to say
     * (e.g. labels removed and workloads restarted); empty by default.
     */
    default Optional<String> releaseEffect(io.meshform.state.ResourceState recorded) {
        return Optional.empty();
    }

    /**
     * Writes this state's mark ({@link ApplyRequest#mark()}: lineage and address, {@link Ownership}) on the object
     * {@code meshform import} has just recorded, and nothing else of it. Import reads; the mark is the one write it makes,
     * so that the object is known as this state's by what the cluster says, not by the state alone: a state entry edited
     * to read "adopted" would otherwise make {@code destroy --delete-adopted} delete any object that carries no mark.
     * {@code desired} is the recorded value. The default writes nothing, and then a delete of the imported object is
     * refused as one this state did not make (a release, the default for adopted objects, is not).
     */
    default void markImported(ApplyRequest request) {
    }

    /**
     * Whether {@code meshform import} can adopt an object of this type: true exactly for a type that implements
     * {@link #importExisting(String)}. Import refuses the others by name, where the default's empty answer would say
     * the object is missing from the cluster.
     */
    default boolean importable() {
        return false;
    }

    /** Adopts an existing object (the id is type-specific, e.g. {@code namespace/name}); empty when absent. */
    default Optional<AppliedResource> importExisting(String id) {
        return Optional.empty();
    }

    /**
     * The id {@code meshform import} takes ({@link #importExisting(String)}) for the object recorded with these
     * attributes, so a message can print the exact command; empty when the type cannot import or cannot tell.
     */
    default Optional<String> importId(JsonNode recorded) {
        return Optional.empty();
    }

    /**
     * Adopts an existing object, knowing what the stack declares for it (a {@code kubernetes.manifest} learns the
     * object's kind from the declared manifest); by default the same as {@link #importExisting(String)}.
     */
    default Optional<AppliedResource> importExisting(String id, JsonNode declared) {
        return importExisting(id);
    }

    /**
     * Spec paths (JSON pointers) that say which object a resource is: its kind, namespace and name. The type reads,
     * applies and deletes the object by them, and the state records them to find it again, so the loader refuses a
     * sensitive variable's value there: the state keeps such a value only as its digest, by which no object can be
     * found (the next plan took the applied object for one "not managed by meshform", and a destroy said it was
     * "already deleted" and forgot it while it stayed in the cluster). The default is none. These are the fields;
     * {@link #declaredObject} is the object they name, for comparing resources, and is empty for a type that names an
     * object it shares with others ({@code kubernetes.labels}), whose name still must be no secret: so two methods.
     */
    default Set<String> identityPaths() {
        return Set.of();
    }

    /**
     * Spec paths whose values never leave meshform in clear text (plans, state, drift reports, errors): JSON Pointer
     * patterns in which {@code *} matches any one key or list index, e.g. {@code /jwtRules/*}{@code /jwks}.
     */
    default Set<String> sensitivePaths() {
        return Set.of();
    }

    /**
     * The sensitive paths of one value in this type's spec shape (desired, recorded or live), for types where they
     * depend on the value: a {@code kubernetes.manifest} is sensitive in {@code data} only when it is a Secret.
     */
    default Set<String> sensitivePaths(JsonNode value) {
        return sensitivePaths();
    }

    /**
     * The sensitive paths of {@code value} that hold a secret itself (a Secret's data, an inline JWKS), as opposed to
     * places sensitive only because they may hold a copy of one (a Secret's annotations: an annotation such as
     * {@code argocd.argoproj.io/sync-wave: "1"} is no secret). The loader refuses a value written in the stack at one
     * of these when it is too short to be masked in free text; elsewhere such a value is masked where it lands as
     * before. The default is every sensitive path.
     */
    default Set<String> secretValuePaths(JsonNode value) {
        Set<String> out = new java.util.TreeSet<>(sensitivePaths());
        out.addAll(sensitivePaths(value));
        return out;
    }

    /**
     * The spec in the one form the type applies, records and compares (a Secret's {@code stringData} folded into
     * base64 {@code data}, as the API server stores it). The loader applies it after validating, so plans, the stack's
     * digest, the state and drift all see the same form. The default is the spec as written.
     */
    default JsonNode normalise(JsonNode spec) {
        return spec;
    }

    /**
     * Spec fields that name a YAML file holding one object, which the loader reads (inside the stack's root, within
     * the size limit, with the stack file's YAML rules) and puts into the spec in place of the name: field holding
     * the path -> field that receives the object, e.g. {@code file -> manifest}. So the file is validated offline, a
     * saved plan is bound to its content, and its sensitive values are masked like inline ones.
     */
    default java.util.Map<String, String> fileFields() {
        return java.util.Map.of();
    }

    /**
     * The one object in the cluster a valid {@code spec} declares, in words that are equal for every resource, of any
     * type, that declares that same object, and differ otherwise: the kind, its API group without the version (one object
     * is served under every version of its group: {@code networking.istio.io/v1} and {@code v1beta1} name the same), its
     * namespace and name, e.g. {@code VirtualService.networking.istio.io cortex/web}, {@code ConfigMap cortex/app},
     * {@code Namespace cortex}, read from the {@link #identityPaths} fields (and the type's own kind, or the address for a
     * name the spec leaves out). The loader refuses two resources that declare one object (DeclaredTwice). Empty when the
     * spec does not say (an invalid one: the loader reports it), or for a type that by design shares objects with others
     * ({@code kubernetes.labels}), the default.
     */
    default java.util.Optional<String> declaredObject(io.meshform.engine.model.ResourceAddress address, JsonNode spec) {
        return java.util.Optional.empty();
    }
}
