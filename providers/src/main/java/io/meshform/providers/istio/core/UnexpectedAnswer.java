package io.meshform.providers.istio.core;

/**
 * What istioctl printed when it did not answer as Istio's istioctl does, and what to do about it: one wording for
 * every command meshform runs ({@code version}, {@code validate}, {@code analyze}), so a wrong {@code --istioctl}
 * (a program that exits 0 and prints nothing, such as {@code /bin/true}) is explained the same way wherever it shows,
 * instead of ending in "exited 0: " with nothing after it.
 */
public final class UnexpectedAnswer {
    /** The advice for a program that is not the istioctl the stack needs. */
    public static final String ADVICE = "is it Istio's istioctl? point --istioctl or MESHFORM_ISTIOCTL at the istioctl"
            + " of the release the stack names";

    private UnexpectedAnswer() {
    }

    /** "exited 0 and printed nothing", or "exited 1 and printed: " and its last lines. */
    public static String outcome(Istioctl.Result r) {
        String tail = r.tail(5);
        return "exited " + r.exit() + (tail.isBlank() ? " and printed nothing" : " and printed: " + tail);
    }

    /** True when the run printed nothing at all: no istioctl command meshform runs answers with silence. */
    public static boolean silent(Istioctl.Result r) {
        return r.stdout().stream().allMatch(String::isBlank) && r.stderr().stream().allMatch(String::isBlank);
    }
}
