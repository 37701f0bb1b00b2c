package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RequestCounterTest {

    @Test
    void processAgeAgreesWithTheJvmsOwnUptime() {
        // The JVM's uptime starts a little after the process (the launcher and the JVM's own start come first), so the
        // process's age is at least the uptime and, in a test JVM, not seconds more. ProcessHandle's start instant
        // would fail the upper bound by up to a second (the boot time it adds is in whole seconds).
        long uptimeBefore = ManagementFactory.getRuntimeMXBean().getUptime();
        OptionalLong age = RequestCounter.processAgeMillis();
        long uptimeAfter = ManagementFactory.getRuntimeMXBean().getUptime();
        assertTrue(age.isPresent(), "/proc gives the process's age on Linux");
        assertTrue(age.getAsLong() >= uptimeBefore - 20 && age.getAsLong() <= uptimeAfter + 500,
                "age " + age.getAsLong() + " ms against JVM uptime " + uptimeBefore + "-" + uptimeAfter + " ms");
    }

    @Test
    void noFirstRequestYetIsMinusOne() {
        assertEquals(-1, new RequestCounter().firstRequestAfterStartMillis());
        assertTrue(new RequestCounter().recent().isEmpty());
    }

    /** A kubeconfig's "?access_token=" rides along on every request: the debug line hides it (audit A, L1). */
    @Test
    void requestLinesHideQueryParametersThatAreNotTheApisOwn() {
        java.net.URI uri = java.net.URI.create("https://admin:pw@127.0.0.1:1/api/v1/namespaces?access_token=QSECRETQ&limit=5");
        var request = (io.fabric8.kubernetes.client.http.HttpRequest) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {io.fabric8.kubernetes.client.http.HttpRequest.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "uri" -> uri;
                    case "method" -> "GET";
                    default -> null;
                });
        RequestCounter counter = new RequestCounter();
        counter.before(null, request, null);
        String line = counter.recent().get(0);
        assertTrue(line.endsWith(" GET /api/v1/namespaces?access_token=(hidden)&limit=5"), line);
    }
}
