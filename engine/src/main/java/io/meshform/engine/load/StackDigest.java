package io.meshform.engine.load;

import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceDecl;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The stack's digest (SHA-256 of its canonical JSON), computed on a thread of its own so that the plan does not wait
 * for it: only the finished plan needs it ({@code Planner}, {@code PlanBinding}).
 *
 * <p>Why a thread: at N=1,000 the digest was 22 of the stack load's 168 main-thread samples and the first Jackson
 * mapper's static set-up 17 more (BENCHMARKS.md, evening session: n1000), and the load is all on the plan's critical
 * path. The thread starts with the load and builds its mapper first, so Jackson's set-up runs while the YAML is read;
 * then it waits for the loaded resources. Their specs are not changed after the load (every user copies before it
 * edits), so reading them beside the plan is safe.
 */
final class StackDigest {
    /** What the digest covers, handed over once the load has succeeded. */
    private record Content(String name, Environment environment, List<ResourceDecl> resources) {
    }

    private final CompletableFuture<Content> content = new CompletableFuture<>();
    private final CompletableFuture<String> digest;

    private StackDigest() {
        digest = CompletableFuture.supplyAsync(this::compute, StackDigest::daemon);
    }

    /** Starts the thread; call {@link #of} with the loaded stack, or {@link #abandon} when the load fails. */
    static StackDigest start() {
        return new StackDigest();
    }

    /** The digest of this content, when asked for: waits for the thread (not interruptibly: it is short). */
    Supplier<String> of(String name, Environment environment, List<ResourceDecl> resources) {
        content.complete(new Content(name, environment, List.copyOf(resources)));
        return digest::join;
    }

    /** Lets the thread end without a digest: the load failed. */
    void abandon() {
        content.complete(null);
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "stack-digest");
        t.setDaemon(true);  // never keeps a finished (or failed) run alive
        t.start();
    }

    private String compute() {
        ObjectWriter writer = JsonMapper.builder().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build().writer();
        Content c = content.join();
        return c == null ? null : digest(writer, c);
    }

    private static String digest(ObjectWriter writer, Content c) {
        ObjectNode canonical = JsonNodeFactory.instance.objectNode();
        canonical.put("name", c.name());
        canonical.put("environment", c.environment().label());
        var arr = canonical.putArray("resources");
        for (ResourceDecl r : c.resources()) {
            ObjectNode o = arr.addObject();
            o.put("address", r.address().toString());
            var deps = o.putArray("dependsOn");
            r.dependsOn().forEach(d -> deps.add(d.toString()));
            if (r.lifecycle().preventDestroy()) {
                o.putObject("lifecycle").put("preventDestroy", true);  // absent otherwise, so older digests stay valid
            }
            if (r.lifecycle().adopt()) {
                o.put("adopt", true);
            }
            o.set("spec", r.spec());
        }
        try {
            byte[] bytes = writer.writeValueAsString(canonical).getBytes(StandardCharsets.UTF_8);
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
