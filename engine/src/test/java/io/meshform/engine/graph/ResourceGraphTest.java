package io.meshform.engine.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.ResourceAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResourceGraphTest {
    private static ResourceAddress a(String s) {
        return ResourceAddress.parse("t.x." + s);
    }

    @Test
    void ordersDependenciesFirstAndBreaksTiesByAddress() {
        ResourceGraph g = new ResourceGraph();
        g.addEdge(a("policy"), a("install"));
        g.addEdge(a("labels"), a("install"));
        g.add(a("zeta"));
        assertEquals(List.of(a("install"), a("labels"), a("policy"), a("zeta")), g.topologicalOrder());
    }

    @Test
    void aCycleAddedAfterACleanCheckIsStillRefused() {
        ResourceGraph g = new ResourceGraph();
        g.addEdge(a("a"), a("b"));
        assertTrue(g.cycles().isEmpty());
        g.addEdge(a("b"), a("a"));
        assertThrows(DiagnosticsException.class, g::topologicalOrder);
        assertEquals(1, g.cycles().size());
    }

    @Test
    void reportsEveryCycleAsAPath() {
        ResourceGraph g = new ResourceGraph();
        g.addEdge(a("a"), a("b"));
        g.addEdge(a("b"), a("c"));
        g.addEdge(a("c"), a("a"));
        g.addEdge(a("x"), a("y"));
        g.addEdge(a("y"), a("x"));
        g.addEdge(a("free"), a("a"));
        var e = assertThrows(DiagnosticsException.class, g::topologicalOrder);
        String detail = e.diagnostics().get(0).detail();
        assertTrue(detail.contains("t.x.a -> t.x.b -> t.x.c -> t.x.a"), detail);
        assertTrue(detail.contains("t.x.x -> t.x.y -> t.x.x"), detail);
        assertEquals("dependency cycles between resources", e.diagnostics().get(0).summary());
    }

    @Test
    void targetKeepsDependenciesExcludeDropsDependants() {
        ResourceGraph g = new ResourceGraph();
        g.addEdge(a("policy"), a("install"));
        g.addEdge(a("install"), a("ns"));
        g.add(a("other"));
        assertEquals(Set.of(a("policy"), a("install"), a("ns")), g.withDependencies(Set.of(a("policy"))));
        assertEquals(Set.of(a("install"), a("policy")), g.withDependants(Set.of(a("install"))));
    }

    @Test
    void printsDotAndText() {
        ResourceGraph g = new ResourceGraph();
        g.addEdge(a("policy"), a("install"));
        assertTrue(g.toDot().contains("\"t.x.policy\" -> \"t.x.install\";"), g.toDot());
        assertEquals("t.x.install\nt.x.policy\n  t.x.install\n", g.toString());
    }

    @Test
    void deepChainsDoNotOverflowTheStack() {
        ResourceGraph g = new ResourceGraph();
        for (int i = 0; i < 20_000; i++) {
            g.addEdge(a("n" + (i + 1)), a("n" + i));
        }
        assertEquals(20_001, g.topologicalOrder().size());
    }
}
