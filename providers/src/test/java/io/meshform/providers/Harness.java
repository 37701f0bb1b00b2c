package io.meshform.providers;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.AppliedResource;
import io.meshform.engine.spi.ApplyRequest;
import io.meshform.engine.spi.DeleteRequest;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.PlannedChange;
import io.meshform.engine.spi.Provider;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.engine.spi.ReadRequest;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.engine.spi.StackContext;
import io.meshform.engine.spi.ResourceType;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.providers.kubernetes.KubernetesProvider;
import io.meshform.state.ResourceState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Drives resource types the way the engine does (read, plan, apply, delete) and records state in memory. */
public final class Harness implements AutoCloseable {
    public final List<Provider> providers;
    public final TypeRegistry types;
    public final Map<ResourceAddress, ResourceState> state = new HashMap<>();
    public final List<String> progress = new ArrayList<>();
    /** The lineage applies mark objects with, as the engine's state would. */
    public final String lineage = "harness-" + java.util.UUID.randomUUID();
    /**
     * The stack every request is for; a test that reads files relative to a stack sets one. Each call below is a run of
     * its own, as each engine run is, with a fresh context of this one's stack ({@link #run}): what a type remembers for
     * a run ({@link StackContext#memo}, the injector webhooks) is not taken into the next, after the test changed the
     * cluster.
     */
    public StackContext context = StackContext.detached();

    /** A new run's context, of {@link #context}'s stack. */
    private StackContext run() {
        return context.drift() ? StackContext.forDrift(context.stack()) : StackContext.of(context.stack());
    }

    public Harness(Path kubeconfig, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(extra);
        settings.put("kubeconfig", kubeconfig.toString());
        providers = new MeshformProviderFactory().create(new ProviderSettings(settings));
        types = new TypeRegistry(providers);
    }

    public long requests() {
        return ((KubernetesProvider) providers.get(0)).requestCount();
    }

    public ResourceType type(ResourceAddress a) {
        return types.get(a.type());
    }

    public LiveObject read(ResourceAddress a, JsonNode spec) {
        return read(a, spec, run());
    }

    private LiveObject read(ResourceAddress a, JsonNode spec, StackContext run) {
        return type(a).read(new ReadRequest(run, List.of(new ResourceRef(a, spec)))).get(a);
    }

    /** A plan's run: the read and the plan of one resource. */
    public PlannedChange plan(String address, JsonNode spec) {
        ResourceAddress a = ResourceAddress.parse(address);
        StackContext run = run();
        return type(a).plan(new PlanRequest(a, spec, state.get(a), read(a, spec, run), run, Map.of(), lineage));
    }

    public AppliedResource apply(String address, JsonNode spec) {
        return apply(address, spec, Map.of());
    }

    public AppliedResource apply(String address, JsonNode spec, Map<String, String> privateData) {
        ResourceAddress a = ResourceAddress.parse(address);
        AppliedResource r = type(a).apply(new ApplyRequest(a, spec, state.get(a), privateData, progress::add, run(), lineage));
        state.put(a, new ResourceState(address, a.type(), (ObjectNode) r.attributes(), r.metadata()));
        return r;
    }

    public void delete(String address) {
        ResourceAddress a = ResourceAddress.parse(address);
        type(a).delete(new DeleteRequest(a, state.remove(a), progress::add, run(), lineage));
    }

    /** What the engine does with an adopted resource that leaves management: the object stays. */
    public void release(String address) {
        ResourceAddress a = ResourceAddress.parse(address);
        type(a).release(new DeleteRequest(a, state.remove(a), progress::add, run()));
    }

    @Override
    public void close() {
        providers.forEach(Provider::close);
    }
}
