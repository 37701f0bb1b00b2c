package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Walks the whole command tree, so a new command or option cannot ship without help: for every command,
 * {@code CMD --help}, {@code CMD -h} and {@code help CMD} work, print the same text, name every option and
 * say its default, and show an example; usage errors print that command's usage, not the root's.
 */
class HelpTest {
    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Every command's path below the root, e.g. [], [plan], [state, list]. */
    static List<List<String>> paths() {
        List<List<String>> out = new ArrayList<>();
        collect(Main.commandLine(new Terminal(System.out, System.err, System.in, Map.of(), false)), new ArrayList<>(), out);
        return out;
    }

    private static void collect(CommandLine c, List<String> path, List<List<String>> out) {
        out.add(List.copyOf(path));
        c.getSubcommands().forEach((name, sub) -> {
            List<String> p = new ArrayList<>(path);
            p.add(name);
            collect(sub, p, out);
        });
    }

    private static CommandLine find(List<String> path) {
        CommandLine c = Main.commandLine(new Terminal(System.out, System.err, System.in, Map.of(), false));
        for (String name : path) {
            c = c.getSubcommands().get(name);
        }
        return c;
    }

    private static String[] args(List<String> path, String... more) {
        List<String> all = new ArrayList<>(path);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /**
     * A resource address in any help text stays on one line: picocli wraps at 80 columns and may break after a '.' or
     * '-' inside a word, and an example split as "istio.\npeerAuthentication.mongodb" fails when pasted.
     */
    @Test
    void noHelpTextWrapsAResourceAddress() {
        List<String> types = new io.meshform.providers.MeshformProviderFactory()
                .create(new io.meshform.engine.spi.ProviderSettings(Map.of())).stream()
                .flatMap(p -> p.resourceTypes().stream()).map(t -> t.name()).toList();
        assertTrue(types.contains("istio.peerAuthentication"), types.toString());
        List<String> wrapped = new ArrayList<>();
        for (List<String> path : paths()) {
            Result help = run(args(path, "--help"));
            String[] lines = help.out().split("\n", -1);
            for (int i = 0; i + 1 < lines.length; i++) {
                String wrap = wrappedAddress(lines[i], lines[i + 1], types);
                if (wrap != null) {
                    wrapped.add("meshform " + String.join(" ", path) + " --help: " + wrap);
                }
            }
        }
        assertEquals(List.of(), wrapped);
        assertTrue(wrappedAddress("  meshform state mv istio.", "peerAuthentication.mongodb", types) != null,
                "the check finds the split it is for");
        assertEquals(null, wrappedAddress("  meshform state show istio.install.mesh", "  meshform help state", types));
    }

    /** The address split between {@code line} and {@code next}, or null. */
    static String wrappedAddress(String line, String next, List<String> types) {
        String trimmed = line.stripTrailing();
        String head = next.strip();
        if (trimmed.isEmpty() || head.isEmpty()) {
            return null;
        }
        String tail = trimmed.substring(trimmed.lastIndexOf(' ') + 1);
        char last = tail.charAt(tail.length() - 1);
        // picocli's line breaking splits a word after a '.' or a '-' (BreakIterator's line instance).
        if (last != '.' && last != '-') {
            return null;
        }
        String joined = tail + head;
        for (String type : types) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(type)
                    + "\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?").matcher(joined);
            while (m.find()) {
                if (m.start() < tail.length() && m.end() > tail.length()) {
                    return m.group() + " is split: \"" + tail + "\" / \"" + head + "\"";
                }
            }
            // Split inside the type itself ("istio." / "peerAuthentication...").
            int at = joined.indexOf(type);
            if (at >= 0 && at < tail.length() && at + type.length() > tail.length()) {
                return type + " is split: \"" + tail + "\" / \"" + head + "\"";
            }
        }
        return null;
    }

    @Test
    void theTreeHasTheNestedCommands() {
        List<List<String>> paths = paths();
        assertTrue(paths.contains(List.of("state", "list")), paths.toString());
        assertTrue(paths.contains(List.of("completion")), paths.toString());
        assertTrue(paths.size() > 15, paths.toString());
    }

    @TestFactory
    Stream<DynamicTest> everyCommandHasCompleteHelpThreeWays() {
        return paths().stream().map(path -> DynamicTest.dynamicTest("meshform " + String.join(" ", path), () -> {
            CommandLine command = find(path);
            String name = command.getCommandSpec().qualifiedName(" ");
            Result help = run(args(path, "--help"));
            assertEquals(0, help.code(), name + " --help: " + help.err());
            assertEquals("", help.err(), name + " --help wrote to stderr");
            assertTrue(help.out().startsWith("Usage: " + name), name + " --help:\n" + help.out());
            assertEquals(help.out(), run(args(path, "-h")).out(), name + " -h differs from --help");
            List<String> helpCmd = new ArrayList<>(List.of("help"));
            helpCmd.addAll(path);
            Result viaHelp = run(helpCmd.toArray(String[]::new));
            assertEquals(0, viaHelp.code(), "meshform help " + path + ": " + viaHelp.err());
            assertEquals(help.out(), viaHelp.out(), "`meshform help " + String.join(" ", path) + "` differs from --help");
            assertTrue(help.out().contains("Examples:\n  meshform"), name + " has no example:\n" + help.out());
            for (OptionSpec o : command.getCommandSpec().options()) {
                if (o.hidden()) {
                    continue;
                }
                assertTrue(help.out().contains(o.longestName()), name + " help does not mention " + o.longestName());
                if (!o.usageHelp() && !o.versionHelp()) {
                    assertTrue(String.join(" ", o.description()).contains("default"),
                            name + " " + o.longestName() + " does not say its default: " + String.join(" ", o.description()));
                }
            }
            for (PositionalParamSpec p : command.getCommandSpec().positionalParameters()) {
                if (p.hidden()) {
                    continue;
                }
                assertTrue(help.out().contains(p.paramLabel()), name + " help does not mention " + p.paramLabel());
            }
            for (String sub : command.getSubcommands().keySet()) {
                assertTrue(help.out().contains("\n  " + sub + " "), name + " help does not list " + sub);
            }
        }));
    }

    /**
     * Every example of every help is a command line meshform accepts as pasted: its words (up to a shell comment, pipe
     * or redirection) parse as that command's options and arguments. `state list`'s example carried its explanation
     * in parentheses after the command, which a shell refuses and meshform would take as arguments.
     */
    @TestFactory
    Stream<DynamicTest> everyHelpExampleParsesAsPasted() {
        return paths().stream().map(path -> DynamicTest.dynamicTest("meshform " + String.join(" ", path), () -> {
            String help = run(args(path, "--help")).out();
            String examples = help.substring(help.indexOf("Examples:\n"));
            examples = examples.contains("\n\n") ? examples.substring(0, examples.indexOf("\n\n")) : examples;
            List<String> refused = new ArrayList<>();
            for (String line : examples.split("\n")) {
                List<String> words = exampleWords(line);
                if (words.isEmpty()) {
                    continue;
                }
                try {
                    find(List.of()).parseArgs(words.toArray(String[]::new));
                } catch (CommandLine.ParameterException e) {
                    refused.add(line.strip() + ": " + e.getMessage());
                }
            }
            assertEquals(List.of(), refused);
        }));
    }

    /** The arguments after {@code meshform} of an example line, up to a comment, pipe or redirection; empty if none. */
    static List<String> exampleWords(String line) {
        String command = line.strip();
        if (!command.startsWith("meshform ")) {
            return List.of();  // `source <(meshform completion bash)`, `echo ... >> ~/.zshrc`: shell around meshform
        }
        List<String> words = new ArrayList<>();
        for (String w : command.substring("meshform ".length()).trim().split("\\s+")) {
            if (w.startsWith("#") || w.equals("|") || w.startsWith(">")) {
                break;
            }
            words.add(w);
        }
        return words;
    }

    @Test
    void theExampleWordsStopAtTheShellsOwn() {
        assertEquals(List.of("show", "--markdown", "prod.plan"), exampleWords("  meshform show --markdown prod.plan > plan.md  # x"));
        assertEquals(List.of("graph", "-f", "s.yaml"), exampleWords("  meshform graph -f s.yaml | dot -Tsvg > g.svg"));
        assertEquals(List.of(), exampleWords("  source <(meshform completion bash)"));
    }

    @TestFactory
    Stream<DynamicTest> aWrongOptionPrintsThatCommandsUsage() {
        return paths().stream().map(path -> DynamicTest.dynamicTest("meshform " + String.join(" ", path) + " --no-such-option", () -> {
            String name = find(path).getCommandSpec().qualifiedName(" ");
            Result r = run(args(path, "--no-such-option"));
            assertEquals(1, r.code(), name);
            // A command that needs arguments may report those first; either way the error names the command's usage.
            assertTrue(r.err().contains("Error: Unknown option: '--no-such-option'") || r.err().contains("Error: Missing required"), r.err());
            assertTrue(r.err().contains("Usage: " + name), name + ":\n" + r.err());
            assertTrue(r.err().contains("Run '" + name + " --help'"), r.err());
        }));
    }

    @Test
    void onlyPlanAndDriftOfferAllContexts() {
        for (List<String> path : paths()) {
            boolean offered = find(path).getCommandSpec().findOption("--all-contexts") != null;
            assertEquals(path.equals(List.of("plan")) || path.equals(List.of("drift")), offered, "meshform " + path);
        }
        Result r = run("apply", "--all-contexts");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("Unknown option: '--all-contexts'"), r.err());
    }

    @Test
    void aVarWithoutItsNameIsRefusedWithoutRepeatingTheValue() {
        Result r = run("validate", "--var", "s3cret-token");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("Error: Value for option '--var' (NAME=VALUE) should be in KEY=VALUE format (the value given is not repeated)"),
                r.err());
        assertFalse(r.err().contains("s3cret-token"), r.err());
    }

    @Test
    void plainMeshformListsTheCommandsAsAUsageError() {
        Result r = run();
        assertEquals(ExitCodes.ERROR, r.code(), "no command is a usage error, as for terraform");
        assertEquals(ExitCodes.ERROR, run("--bogus").code(), "the code of every usage error");
        assertEquals("", r.out());
        for (String c : List.of("validate", "plan", "apply", "drift", "state", "version", "completion", "help")) {
            assertTrue(r.err().contains("\n  " + c + " "), c + " missing:\n" + r.err());
        }
        Result help = run("--help");
        assertEquals(0, help.code());
        assertEquals(r.err(), help.out());
        assertEquals(0, run("help").code(), "asking for help is no error");
    }

    @Test
    void plainStateListsItsSubcommandsAsAUsageError() {
        Result r = run("state");
        assertEquals(ExitCodes.ERROR, r.code());
        assertEquals("", r.out());
        assertTrue(r.err().contains("\n  list ") && r.err().contains("\n  push "), r.err());
        Result help = run("state", "--help");
        assertEquals(0, help.code());
        assertEquals(r.err(), help.out());
    }

    @Test
    void aMistypedCommandIsNamedAndTheClosestSuggested() {
        Result r = run("plna");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("unknown command 'plna'"), r.err());
        assertTrue(r.err().contains("Did you mean 'meshform plan'?\n"), r.err());
        // picocli's list had "or meshform apply or meshform completion": no bound on how far a name may be.
        assertFalse(r.err().contains("meshform apply") || r.err().contains("meshform completion"), r.err());
        assertFalse(run("xyzzy").err().contains("Did you mean"), "no name is close to xyzzy");
        Result option = run("plan", "--stat");
        assertTrue(option.err().contains("Did you mean '--state'?\n"), option.err());
        assertFalse(option.err().contains("--strict") || option.err().contains("--state-secret"), option.err());
        assertTrue(run("state", "lst").err().contains("Did you mean 'meshform state list'?"));
        Result h = run("help", "stat");
        assertEquals(1, h.code());
        assertTrue(h.err().contains("did you mean 'state'?"), h.err());
        Result nested = run("state", "lst");
        assertEquals(1, nested.code());
        assertTrue(nested.err().contains("unknown command 'lst' for 'meshform state'"), nested.err());
    }

    @Test
    void badOptionValuesAreUsageErrorsBeforeAnyWork() {
        // No -f: a value check that ran after loading would complain about meshform.yaml instead.
        Result p = run("apply", "--parallelism", "0");
        assertEquals(1, p.code());
        assertTrue(p.err().contains("Invalid value for option '--parallelism': must be 1 or more, not 0"), p.err());
        assertTrue(p.err().contains("Usage: meshform apply"), p.err());
        assertFalse(p.err().contains("meshform.yaml"), p.err());
        Result l = run("plan", "--log-level", "verbose");
        assertEquals(1, l.code());
        assertTrue(l.err().contains("Invalid value for option '--log-level': expected one of info, debug, not 'verbose'"), l.err());
        Result f = run("drift", "--format", "xml");
        assertTrue(f.err().contains("expected one of text, json, markdown, junit, not 'xml'"), f.err());
        Result t = run("plan", "--lock-timeout", "-1");
        assertTrue(t.err().contains("must be 0 or more"), t.err());
        Result n = run("apply", "--parallelism", "many");
        assertTrue(n.err().contains("'many' is not a whole number"), n.err());
    }

    @Test
    void destroyHelpShowsNoPlanFileItRefuses() {
        Result help = run("destroy", "--help");
        assertEquals(0, help.code(), help.err());
        assertFalse(help.out().contains("PLANFILE"), "destroy refuses a plan file; its help must not offer one:\n" + help.out());
        assertTrue(run("apply", "--help").out().contains("PLANFILE"), "apply still takes one");
        Result r = run("destroy", "-f", "examples/cortex-staging.yaml", "x.plan");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("destroy takes no plan file"), r.err());
        assertTrue(r.err().contains("`meshform plan -f examples/cortex-staging.yaml --destroy --out FILE`")
                && r.err().contains("`meshform apply -f examples/cortex-staging.yaml FILE`"), "the commands keep -f:\n" + r.err());
    }

    /**
     * destroy's help said "--exclude: Leave out this resource and what depends on it", but a destroy leaves out what the
     * resource depends on (`destroy --exclude istio.install.mesh` removes every policy and label, as the production
     * example says), and its --target takes the dependants.
     */
    @Test
    void destroyHelpSaysWhichWayTargetAndExcludeReach() {
        String help = run("destroy", "--help").out().replaceAll("\\s+", " ");
        assertTrue(help.contains("--exclude=ADDR Leave out this resource and what depends on it; in a destroy (destroy, plan"
                + " --destroy), this resource and what it depends on"), help);
        assertTrue(help.contains("--target=ADDR Only this resource and what it depends on; in a destroy (destroy, plan"
                + " --destroy), this resource and what depends on it"), help);
    }

    /** The codes under "Exit codes:" in a command's help, e.g. [0, 1]. */
    private static List<String> exitCodes(String help) {
        int at = help.indexOf("Exit codes:");
        assertTrue(at >= 0, help);
        return help.substring(at).lines().skip(1).map(String::trim).filter(l -> l.matches("\\d+  .*"))
                .map(l -> l.substring(0, l.indexOf(' '))).toList();
    }

    /**
     * Each command lists the codes it returns, and no other command's: apply and destroy never return 2 (a refusal,
     * a cancelled or failed run and a held lock are 1; nothing to do is 0), which only plan --detailed-exitcode and
     * drift do.
     */
    @Test
    void eachHelpListsTheCommandsOwnExitCodes() {
        for (String command : List.of("apply", "destroy")) {
            String help = run(command, "--help").out();
            // 130: a Ctrl-C ends the JVM in its shutdown, whose code is the signal's (InterruptExitCodeIT)
            assertEquals(List.of("0", "1", "130"), exitCodes(help), help);
            String codes = help.substring(help.indexOf("Exit codes:"));
            assertFalse(codes.contains("detailed-exitcode") || codes.contains("drift"), codes);
            assertTrue(help.contains("another run holds the\n     state lock") && help.contains("nothing to " + command), help);
        }
        String plan = run("plan", "--help").out();
        assertEquals(List.of("0", "1", "2"), exitCodes(plan), plan);
        assertFalse(plan.substring(plan.indexOf("Exit codes:")).contains("drift"), plan);
        String drift = run("drift", "--help").out();
        assertEquals(List.of("0", "1", "2"), exitCodes(drift), drift);
        assertFalse(drift.substring(drift.indexOf("Exit codes:")).contains("detailed-exitcode"), drift);
    }

    /**
     * validate and graph read no state and take no lock: their help does not offer the options that name them (which
     * they would ignore), every command that reads a state does; --lock-timeout only where a lock is taken.
     */
    @Test
    void onlyCommandsThatReadAStateOfferTheStateOptions() {
        List<List<String>> noLock = List.of(List.of("drift"), List.of("force-unlock"), List.of("state", "list"),
                List.of("state", "show"), List.of("state", "pull"));
        for (List<String> path : paths()) {
            CommandLine.Model.CommandSpec spec = find(path).getCommandSpec();
            if (spec.findOption("--file") == null) {
                continue;
            }
            boolean readsState = !path.equals(List.of("validate")) && !path.equals(List.of("graph"));
            for (String name : StateOptions.NAMES) {
                boolean offered = readsState && !(name.equals("--lock-timeout") && noLock.contains(path));
                assertEquals(offered, run(args(path, "--help")).out().contains(name + "="), "help of meshform " + path + " " + name);
            }
        }
    }

    /**
     * Options a command takes from a shared mixin but does nothing with are out of its help, and still accepted, with a
     * note: a script that passes them to every command keeps working and learns they are idle.
     */
    @Test
    void optionsThatDoNothingAreHiddenAndAcceptedWithANote() {
        for (InertOptions.Inert i : InertOptions.TABLE) {
            List<String> path = List.of(i.command().split(" "));
            String help = run(args(path, "--help")).out();
            assertFalse(help.contains(i.option() + "=") || help.contains(i.option() + " "), "meshform " + i.command()
                    + " --help offers " + i.option() + ":\n" + help);
        }
        for (String command : List.of("plan", "apply", "destroy", "import")) {
            assertTrue(run(command, "--help").out().contains("--lock-timeout="), command + " waits for the lock");
        }
        assertTrue(run("drift", "--help").out().contains("--istioctl="), "drift runs istioctl analyze");
        // A missing stack file is the error: the options were accepted, each with its note first.
        Result r = run("drift", "-f", "/nonexistent/stack.yaml", "--lock-timeout", "60");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("Note: drift takes no lock (it only reads), so --lock-timeout does nothing here;"
                + " it is accepted for scripts that pass it to every command, and can be left out.\n"), r.err());
        assertFalse(r.err().contains("Unknown option"), r.err());
        Result s = run("state", "list", "--state", "/nonexistent/x.json", "--istioctl", "/bin/true", "--allow-stack-istioctl");
        assertTrue(s.err().contains("Note: state list runs no istioctl, so --istioctl does nothing here")
                && s.err().contains("so --allow-stack-istioctl does nothing here"), s.err());
        // A variable's value where only the backend is read: it was taken without a word, even from a file not there.
        Result v = run("state", "pull", "--state", "/nonexistent/x.json", "--var", "a=1", "--var-file", "/nonexistent/v.yaml");
        assertTrue(v.err().contains("Note: state pull reads only the stack's backend, which takes no variables, so --var"
                + " does nothing here") && v.err().contains("so --var-file does nothing here"), v.err());
        assertFalse(run("plan", "-f", "/nonexistent/stack.yaml", "--lock-timeout", "60").err().contains("Note:"),
                "plan waits for the lock: no note");
    }

    /** An option of another command is named as such, with this command's option for the same job: not per case. */
    @Test
    void anOptionOfAnotherCommandSaysWhichTakeItAndWhatToUseHere() {
        Result plan = run("plan", "--format", "json");
        assertEquals(1, plan.code(), plan.err());
        assertTrue(plan.err().contains("Error: Unknown options: '--format', 'json'\n"
                + "plan does not take --format (drift and graph do); plan takes --json or --markdown for that\n"), plan.err());
        assertTrue(run("show", "--format=json", "x.plan").err().contains(
                "show does not take --format (drift and graph do); show takes --json or --markdown for that"));
        assertTrue(run("validate", "--format", "json").err().contains(
                "validate does not take --format (drift and graph do); validate takes --json for that"));
        assertTrue(run("drift", "--json").err().contains("drift does not take --json (validate, plan, show and version do);"
                + " drift takes --format for that"), run("drift", "--json").err());
        assertTrue(run("drift", "--out", "d.xml").err().contains("drift does not take --out (plan does); drift takes --output for that"));
        assertTrue(run("plan", "--output", "p.plan").err().contains("plan does not take --output (drift does); plan takes --out for that"));
        Result apply = run("apply", "--detailed-exitcode");
        assertTrue(apply.err().contains("apply does not take --detailed-exitcode (plan does)\n"), apply.err());
        assertTrue(run("destroy", "--replace", "fake.thing.mesh").err().contains(
                "destroy does not take --replace (plan and apply do)"), run("destroy", "--replace", "x.y.z").err());
        assertFalse(run("plan", "--no-such-option").err().contains("does not take"), "an option of no command: no hint");
    }

    @Test
    void optionsACommandWouldIgnoreAreRefused() {
        // No stack file is read: the options are refused first.
        for (String[] args : List.of(new String[] {"validate", "--state", "/nonexistent/x.json"},
                new String[] {"validate", "--state-secret", "BAD_NS/x"}, new String[] {"validate", "--lock-timeout", "99"},
                new String[] {"graph", "--state", "/nonexistent/x.json"}, new String[] {"graph", "--context", "nosuch"})) {
            Result r = run(args);
            assertEquals(1, r.code(), String.join(" ", args) + ": " + r.out() + r.err());
            assertTrue(r.err().contains(args[0] + " reads no state") && r.err().contains("does not take " + args[1]),
                    String.join(" ", args) + ": " + r.err());
        }
    }

    @Test
    void destroyReplaceAndJsonWithMarkdownAreRefused() {
        Result replace = run("plan", "--destroy", "--replace", "fake.thing.mesh");
        assertEquals(1, replace.code(), replace.out() + replace.err());
        assertTrue(replace.err().contains("--replace re-creates a resource, and a destroy re-creates nothing"), replace.err());
        assertFalse(run("destroy", "--help").out().contains("--replace"), "destroy does not offer --replace");
        Result both = run("plan", "--json", "--markdown");
        assertEquals(1, both.code(), both.out() + both.err());
        assertTrue(both.err().contains("--json and --markdown cannot be combined"), both.err());
        assertEquals("", both.out());
        // show has both options too (PlanFormat), and refuses them before reading the plan file.
        Result show = run("show", "--json", "--markdown", "missing.plan");
        assertEquals(1, show.code(), show.out() + show.err());
        assertTrue(show.err().contains("--json and --markdown cannot be combined"), show.err());
        // show has no --out: its way to both is to run it twice (it said "save it with --out", plan's advice)
        assertTrue(show.err().contains("choose one (run `meshform show` once with each)"), show.err());
        assertFalse(show.err().contains("--out"), show.err());
        assertTrue(both.err().contains("save it with --out and print the other with `meshform show"), both.err());
        assertEquals("", show.out());
    }

    @Test
    void versionNamesCommitJavaAndIstioctl() {
        Result r = run("version");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("(?s)meshform \\S+ \\(commit [0-9a-f]{7,}(-dirty)?\\)\njava     .+\nistioctl .+"), r.out());
        Result j = run("version", "--json");
        assertTrue(j.out().contains("\"commit\""), j.out());
        assertTrue(j.out().contains("\"istioctl\""), j.out());
    }
}
