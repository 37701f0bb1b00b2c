package io.meshform.providers.istio.checks;

import io.meshform.engine.spi.ProgressSink;
import io.meshform.providers.istio.core.Istioctl;
import io.meshform.providers.istio.core.UnexpectedAnswer;
import io.meshform.providers.kubernetes.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * One run of {@code istioctl analyze} (istioctl/pkg/analyze/analyze.go) and what it printed. With {@code
 * --use-kube} the live cluster is the base and the files are overlaid on it: a file object replaces the live object
 * of the same kind, namespace and name ("File source takes the highest precedence",
 * pkg/config/analysis/local/istiod_analyze.go); nothing in a file can remove a live object. {@code -A} analyzes every
 * namespace; {@code -o json} prints the messages as a JSON array on stdout (and exits 0 even when they hold errors,
 * so the exit code says only whether it ran); documents it cannot read are named on stderr ("Error(s) adding
 * files") and left out. The mesh config is the live {@code istio} ConfigMap unless {@code --meshConfigFile} names one.
 */
final class AnalyzeRun {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    /** istioctl's own --timeout (30 s by default) bounds the informers' sync; the process gets a little more. */
    static final Duration TIMEOUT = Duration.ofSeconds(90);

    /** One analyzer message: code (IST0101), level (Error, Warning, Info), origin ("Kind ns/name"), reference (file:line). */
    record Message(String code, String level, String origin, String text, String reference, String documentation) {
    }

    /**
     * The messages, or why there are none: {@code failure} is set when istioctl did not produce its JSON, and
     * {@code advice} when the program did not answer as Istio's istioctl does (it exited 0 without the JSON, or printed
     * nothing), which no retry fixes: the user chose the wrong binary.
     */
    record Result(List<Message> messages, List<String> unreadable, String failure, String advice, Duration took) {
    }

    private AnalyzeRun() {
    }

    /**
     * Runs analyze on the live cluster with {@code overlay} on top (none for the live cluster as it is), with
     * {@code meshConfig} as the mesh config when given, for {@code revision}.
     */
    static Result run(Istioctl istioctl, ObjectFiles overlay, Optional<JsonNode> meshConfig, String revision) {
        // Istio's log goes to stdout by default (pkg/log/options.go, defaultOutputPath), and analyze logs a warning
        // there for each object it cannot read, ahead of its JSON: --log_target (a hidden flag of istioctl's root,
        // istioctl/cmd/root.go) keeps stdout for the JSON alone.
        List<String> args = new ArrayList<>(List.of("analyze", "--use-kube=true", "--all-namespaces", "--output", "json",
                "--color=false", "--timeout", "60s", "--log_target=stderr"));
        if (revision != null && !revision.isBlank() && !revision.equals("default")) {
            args.add("--revision");
            args.add(revision);
        }
        if (meshConfig.isPresent() && overlay != null) {
            args.add("--meshConfigFile");
            args.add(overlay.add("mesh.yaml", YAML.writeValueAsString(meshConfig.get())).toString());
        }
        if (overlay != null) {
            args.add(overlay.file().toString());
        }
        long start = System.nanoTime();
        Istioctl.Result r = istioctl.run(args, TIMEOUT, ProgressSink.NONE, true);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        List<String> unreadable = new ArrayList<>();
        boolean adding = false;
        for (String line : r.stderr()) {
            if (line.startsWith("Error(s) adding files")) {
                adding = true;
            } else if (adding && line.trim().startsWith("* error processing")) {
                unreadable.add(line.trim().substring(2));
            }
        }
        String out = r.out().trim();
        if (r.exit() != 0 || !out.startsWith("[")) {
            // A real istioctl that fails says why on stderr (a right it lacks); exiting 0 without the JSON, or
            // saying nothing, is a program that is not istioctl (--istioctl /bin/true).
            boolean notIstioctl = r.exit() == 0 || UnexpectedAnswer.silent(r);
            return new Result(List.of(), unreadable, istioctl.named() + " " + UnexpectedAnswer.outcome(r),
                    notIstioctl ? UnexpectedAnswer.ADVICE : null, took);
        }
        List<Message> messages = new ArrayList<>();
        for (JsonNode m : Json.MAPPER.readTree(out)) {
            messages.add(new Message(Json.text(m, "code"), Json.text(m, "level"), Json.text(m, "origin"),
                    Json.text(m, "message"), Json.text(m, "reference"), Json.text(m, "documentationUrl")));
        }
        return new Result(messages, unreadable, null, null, took);
    }
}
