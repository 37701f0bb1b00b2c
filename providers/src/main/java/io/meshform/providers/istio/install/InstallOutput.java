package io.meshform.providers.istio.install;

import io.meshform.providers.istio.core.Istioctl;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What of {@code istioctl install}'s output an error quotes. istioctl 1.30.3 writes its logo (fourteen lines of
 * {@code |}, {@code \}, {@code /} and {@code _}) to stderr before anything else, so a refusal that comes at once was
 * quoted under the logo; the logo's lines and the blank lines around it are left out.
 */
final class InstallOutput {
    private static final Pattern LOGO_LINE = Pattern.compile("[\\s|\\\\/_]*");

    private InstallOutput() {
    }

    /** The last {@code n} lines of stderr (else stdout) other than the logo's. */
    static String tail(Istioctl.Result r, int n) {
        List<String> lines = (r.stderr().isEmpty() ? r.stdout() : r.stderr()).stream()
                .filter(l -> !LOGO_LINE.matcher(l).matches()).toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }
}
