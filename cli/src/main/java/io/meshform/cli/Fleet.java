package io.meshform.cli;

import io.meshform.engine.render.Style;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.providers.kubernetes.KubeConnection;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs one plan or drift per cluster concurrently (each one the command's own single-cluster run, given options of
 * its own: its context and, for a local backend, its own state file), then prints each cluster's output and one
 * combined result. The exit code is the worst of them: 1 if any failed, else 2 if any has changes or drift, else 0.
 *
 * <p>Members are called in-process through a {@link Runner}, not by parsing a rewritten command line: the options
 * were parsed once, and an option added later cannot be lost or doubled on the way to a member.
 */
final class Fleet {
    private static final int MAX_CONCURRENT = 4;

    private Fleet() {
    }

    record Member(String context, int exitCode, String output) {
    }

    /** One cluster's run: the command's single-cluster path, writing to {@code terminal}, with {@code options}. */
    @FunctionalInterface
    interface Runner {
        int run(Terminal terminal, GlobalOptions options) throws Exception;
    }

    /**
     * With {@code json}, each member runs with its own JSON output and the fleet prints one JSON document holding
     * them all ({@code {"format_version": 1, "fleet": [{"context", "exit_code", "result" | "error"}], "exit_code"}}),
     * so a pipeline parses one value, not one per cluster glued together.
     */
    static int run(Terminal terminal, GlobalOptions global, boolean json, Runner runner) {
        if (global.state != null) {
            throw new UserError("--state names one state file, but a fleet run needs one per cluster; leave it out "
                    + "(each cluster gets its own file, meshform.<context>.state.json by default, the one `apply --context <context>` "
                    + "writes) or use the kubernetes backend");
        }
        List<String> contexts = global.allContexts ? allContexts(terminal, global) : List.copyOf(global.contexts);
        if (contexts.isEmpty()) {
            throw new UserError("--all-contexts: the kubeconfig defines no contexts");
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(MAX_CONCURRENT, contexts.size()));
        Map<String, Future<Member>> runs = new LinkedHashMap<>();
        try {
            for (String context : contexts) {
                GlobalOptions options = global.forMember(context);
                runs.put(context, pool.submit(() -> member(terminal, context, options, runner)));
            }
            List<Member> members = new ArrayList<>();
            for (Future<Member> f : runs.values()) {
                members.add(f.get());
            }
            return json ? jsonReport(terminal, members) : report(terminal, members);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while waiting for the clusters");
        } catch (ExecutionException e) {
            throw new UserError("a fleet member failed unexpectedly: " + e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static Member member(Terminal terminal, String context, GlobalOptions options, Runner runner) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        Terminal own = new Terminal(out, out, new ByteArrayInputStream(new byte[0]), terminal.env(), false);
        int code;
        try {
            code = runner.run(own, options);
        } catch (Exception e) {
            // The same paragraph a single-cluster run prints for the same failure.
            out.println(Main.describe(e, Style.plain()));
            code = ExitCodes.ERROR;
        }
        return new Member(context, code, buffer.toString(StandardCharsets.UTF_8));
    }

    private static int report(Terminal terminal, List<Member> members) {
        int worst = ExitCodes.OK;
        StringBuilder summary = new StringBuilder();
        for (Member m : members) {
            terminal.out().println("=== context " + m.context() + " (exit " + m.exitCode() + ")");
            terminal.out().print(m.output());
            terminal.out().println();
            if (m.exitCode() == ExitCodes.ERROR) {
                worst = ExitCodes.ERROR;
            } else if (m.exitCode() == ExitCodes.CHANGES && worst == ExitCodes.OK) {
                worst = ExitCodes.CHANGES;
            }
            summary.append(String.format("  %-30s %s%n", m.context(), switch (m.exitCode()) {
                case ExitCodes.OK -> "ok";
                case ExitCodes.CHANGES -> "changes or drift";
                default -> "error";
            }));
        }
        terminal.out().print("Fleet: " + io.meshform.engine.render.Plural.of(members.size(), "cluster") + "\n" + summary);
        return worst;
    }

    private static int jsonReport(Terminal terminal, List<Member> members) {
        JsonMapper mapper = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("format_version", 1);
        ArrayNode fleet = root.putArray("fleet");
        for (Member m : members) {
            ObjectNode o = fleet.addObject();
            o.put("context", m.context());
            o.put("exit_code", m.exitCode());
            JsonNode result = null;
            if (m.exitCode() != ExitCodes.ERROR) {
                try {
                    result = mapper.readTree(m.output());
                } catch (JacksonException e) {
                    result = null;
                }
            }
            if (result != null && result.isObject()) {
                o.set("result", result);
            } else {
                o.put("error", m.output().strip());
            }
        }
        int worst = worst(members);
        root.put("exit_code", worst);
        terminal.out().println(mapper.writeValueAsString(root));
        return worst;
    }

    private static int worst(List<Member> members) {
        int worst = ExitCodes.OK;
        for (Member m : members) {
            if (m.exitCode() == ExitCodes.ERROR) {
                worst = ExitCodes.ERROR;
            } else if (m.exitCode() == ExitCodes.CHANGES && worst == ExitCodes.OK) {
                worst = ExitCodes.CHANGES;
            }
        }
        return worst;
    }

    private static List<String> allContexts(Terminal terminal, GlobalOptions global) {
        return KubeConnection.contextNames(new ProviderSettings(Workspace.kubeconfigSettings(terminal, global.kubeconfig)));
    }
}
