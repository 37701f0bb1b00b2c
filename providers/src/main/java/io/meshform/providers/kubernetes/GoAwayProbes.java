package io.meshform.providers.kubernetes;

import java.util.function.Supplier;

/**
 * When {@link KubeConnection} reads a GOAWAY's cause with one HTTP/1.1 request ({@link RefusedCredentials#probe}), and
 * which answers it keeps. JDK 17's HTTP/2 client loses the 401 kube-apiserver sends before it closes the connection,
 * before the server's first answer (a wrong credential) and after it (expired or revoked mid-run: kube-apiserver
 * answers every HTTP/2 401 with "Connection: close", on an established connection too; k8s.io/apiserver 0.36,
 * pkg/endpoints/filters/authentication.go, {@code Unauthorized}). Before the first answer one probe decides. After it,
 * a refusal (401, or 403 for an anonymous request) is kept; any other answer (a server going down or rebalancing) is
 * not, so a token that expires after a restart's GOAWAY is still found, up to {@link #AFTER_ANSWER} probes a run.
 * Not thread-safe: the connection calls it under its own lock.
 */
final class GoAwayProbes {
    static final int AFTER_ANSWER = 3;

    private RefusedCredentials.Answer beforeAnswer;
    private RefusedCredentials.Answer afterAnswer;
    private int probedAfterAnswer;

    /** The kept answer for this moment of the run, or a new {@code probe}'s. */
    RefusedCredentials.Answer answer(boolean answeredBefore, Supplier<RefusedCredentials.Answer> probe) {
        RefusedCredentials.Answer kept = answeredBefore ? afterAnswer : beforeAnswer;
        if (kept != null) {
            return kept;
        }
        RefusedCredentials.Answer status = probe.get();
        if (!answeredBefore) {
            beforeAnswer = status;
        } else if (status.code() == 401 || status.code() == 403 || ++probedAfterAnswer >= AFTER_ANSWER) {
            afterAnswer = status; // a refusal, or a server restarting for long: said as it is from here on
        }
        return status;
    }
}
