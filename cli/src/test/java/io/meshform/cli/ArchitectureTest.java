package io.meshform.cli;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module map in docs/architecture.md is the rule: every dependency between the compiled classes of two of its
 * boxes must be an arrow of its diagram, so a change that breaks a boundary (the engine reaching for fabric8, a
 * Kubernetes type naming Istio, providers calling the CLI) fails here, and so does a diagram left behind by the code.
 * Also: no package cycle inside providers, and no source file over ~400 lines without a reason in its header.
 */
class ArchitectureTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern NODE = Pattern.compile("^\\s*(\\w+)\\[\"([\\w.]+)\"\\]");
    private static final Pattern EDGE = Pattern.compile("^\\s*(\\w+)\\s*-->\\s*(\\w+)");
    /** A dotted arrow: allowed, but javac may leave no trace of it (constants are copied into their users). */
    private static final Pattern CONSTANTS_EDGE = Pattern.compile("^\\s*(\\w+)\\s*-\\.->\\s*(\\w+)");
    /** Lines a file may have before its header must say why it is longer. */
    private static final int LONG_FILE = 450;

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        // Names of the classes meshform depends on are enough; loading fabric8's and Jackson's from the class path
        // to resolve them took most of a minute.
        com.tngtech.archunit.ArchConfiguration.get().setResolveMissingDependenciesFromClassPath(false);
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.meshform");
    }

    /** The diagram: box id to package, and the arrows. */
    record Diagram(Map<String, String> packages, Set<String> edges, Set<String> constantEdges) {
        static Diagram read() throws IOException {
            String doc = Files.readString(ROOT.resolve("docs/architecture.md"));
            int start = doc.indexOf("```mermaid");
            assertTrue(start >= 0, "docs/architecture.md has a mermaid diagram");
            String block = doc.substring(start, doc.indexOf("```", start + 3));
            Map<String, String> packages = new LinkedHashMap<>();
            Set<String> edges = new TreeSet<>();
            Set<String> constantEdges = new TreeSet<>();
            for (String line : block.split("\n")) {
                Matcher c = CONSTANTS_EDGE.matcher(line);
                if (c.find()) {
                    constantEdges.add(c.group(1) + " --> " + c.group(2));
                }
                Matcher n = NODE.matcher(line);
                if (n.find()) {
                    packages.put(n.group(1), n.group(2));
                }
                Matcher e = EDGE.matcher(line);
                if (e.find()) {
                    edges.add(e.group(1) + " --> " + e.group(2));
                }
            }
            return new Diagram(packages, edges, constantEdges);
        }

        /** The box a class belongs to: the longest package of the diagram that contains it; null when none does. */
        String boxOf(String className) {
            String best = null;
            for (Map.Entry<String, String> p : packages.entrySet()) {
                if ((className.startsWith(p.getValue() + ".")) && (best == null || p.getValue().length() > packages.get(best).length())) {
                    best = p.getKey();
                }
            }
            return best;
        }
    }

    @Test
    void everyDependencyBetweenModulesIsAnArrowOfTheDiagram() throws IOException {
        Diagram d = Diagram.read();
        Map<String, List<String>> undeclared = new TreeMap<>();
        Set<String> used = new TreeSet<>();
        for (JavaClass c : classes) {
            String from = d.boxOf(c.getName());
            if (from == null) {
                continue;
            }
            for (Dependency dep : c.getDirectDependenciesFromSelf()) {
                String to = d.boxOf(dep.getTargetClass().getName());
                if (to == null || to.equals(from)) {
                    continue;
                }
                String edge = from + " --> " + to;
                used.add(edge);
                if (!d.edges().contains(edge) && !d.constantEdges().contains(edge)) {
                    undeclared.computeIfAbsent(edge, k -> new ArrayList<>()).add(dep.getDescription());
                }
            }
        }
        StringBuilder why = new StringBuilder();
        undeclared.forEach((edge, deps) -> why.append(edge).append(" is not in docs/architecture.md, e.g. ")
                .append(deps.get(0)).append('\n'));
        assertEquals("", why.toString(), "dependencies that break the module map");
        Set<String> stale = new TreeSet<>(d.edges());
        stale.removeAll(used);
        assertEquals(Set.of(), stale, "arrows of docs/architecture.md that no class follows any more: update the diagram");
    }

    @Test
    void providersHaveNoPackageCycle() {
        slices().matching("io.meshform.providers.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void noSourceFileIsLongWithoutAReason() throws IOException {
        List<String> long_ = new ArrayList<>();
        for (String module : List.of("engine", "state", "state-kubernetes", "providers", "cli", "testkit", "bench")) {
            Path src = ROOT.resolve(module).resolve("src/main/java");
            if (!Files.isDirectory(src)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(src)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    List<String> lines = Files.readAllLines(f);
                    boolean reason = lines.stream().limit(80).anyMatch(l -> l.contains("Longer than 400 lines"));
                    if (lines.size() > LONG_FILE && !reason) {
                        long_.add(ROOT.relativize(f) + " (" + lines.size() + " lines)");
                    }
                }
            }
        }
        assertEquals(List.of(), long_, "split these, or say in the class comment \"Longer than 400 lines because ...\"");
    }
}
