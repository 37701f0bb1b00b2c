package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.api.model.ExecConfig;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A connection runs each exec plugin once, but a token the server refused (401) is asked for again, as client-go
 * does: an expired token from a plugin is renewed mid-run, and several refusals at once run the plugin only once.
 */
class ExecCredentialRunsTest {
    private final ExecCredentialRuns runs = new ExecCredentialRuns();
    private final ExecCredentialPlugin plugin = new ExecCredentialPlugin(exec(), null, "sso", 1_000);
    private final AtomicInteger calls = new AtomicInteger();

    private static ExecConfig exec() {
        ExecConfig exec = new ExecConfig();
        exec.setApiVersion("client.authentication.k8s.io/v1");
        exec.setCommand("login-plugin");
        return exec;
    }

    private ExecCredentialPlugin.Credential next() {
        return new ExecCredentialPlugin.Credential("token-" + calls.incrementAndGet(), null, null);
    }

    @Test
    void aCredentialIsRemembered() {
        ExecCredentialPlugin.Credential first = runs.get(plugin, this::next);
        assertSame(first, runs.get(plugin, this::next));
        assertEquals(1, calls.get());
    }

    @Test
    void aRefusedTokenIsAskedForAgainOnceHoweverManyRequestsWereRefused() {
        assertEquals("token-1", runs.get(plugin, this::next).token());
        runs.forgetToken("token-1");
        assertEquals("token-2", runs.get(plugin, this::next).token());
        runs.forgetToken("token-1");  // a second request refused with the old token: the new one stands
        assertEquals("token-2", runs.get(plugin, this::next).token());
        assertEquals(2, calls.get());
    }

    @Test
    void aFailureIsNotRunAgainEvenAfterARefusal() {
        IllegalStateException failed = new IllegalStateException("exit code 1");
        assertSame(failed, assertThrows(IllegalStateException.class, () -> runs.get(plugin, () -> {
            calls.incrementAndGet();
            throw failed;
        })));
        runs.forgetToken("token-1");
        assertSame(failed, assertThrows(IllegalStateException.class, () -> runs.get(plugin, this::next)));
        assertEquals(1, calls.get());
    }
}
