package io.meshform.providers.kubernetes;

import java.time.Duration;
import tools.jackson.databind.JsonNode;

/**
 * The spec's {@code restartWorkloads} and {@code restartTimeoutSeconds}: whether apply restarts the workloads a change
 * concerns (one at a time, as {@code kubectl rollout restart} does), and how long it waits for each rollout.
 */
public record RestartSettings(boolean enabled, Duration timeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
    public static final RestartSettings OFF = new RestartSettings(false, DEFAULT_TIMEOUT);

    public static RestartSettings of(JsonNode spec) {
        JsonNode t = spec.get("restartTimeoutSeconds");
        Duration timeout = t != null && t.isIntegralNumber() ? Duration.ofSeconds(t.longValue()) : DEFAULT_TIMEOUT;
        JsonNode on = spec.get("restartWorkloads");
        return new RestartSettings(on != null && on.isBoolean() && on.booleanValue(), timeout);
    }

    /** restartWorkloads (bool) and restartTimeoutSeconds (a positive whole number). */
    public static void validate(SpecChecker c, JsonNode spec) {
        c.bool(spec, "", "restartWorkloads");
        JsonNode timeout = spec.get("restartTimeoutSeconds");
        if (timeout != null && !timeout.isNull() && (!timeout.isIntegralNumber() || timeout.longValue() < 1)) {
            c.error("/restartTimeoutSeconds", "restartTimeoutSeconds must be a positive whole number",
                    "the longest meshform waits for each workload's rollout; the default is " + DEFAULT_TIMEOUT.toSeconds());
        }
    }
}
