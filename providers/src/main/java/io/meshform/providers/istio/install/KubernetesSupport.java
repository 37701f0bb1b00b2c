package io.meshform.providers.istio.install;

import io.meshform.providers.istio.core.IstioRelease;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Kubernetes versions an Istio release supports, and what the plan says outside them.
 *
 * <p>The oldest is istioctl's own: {@code MinK8SVersion} in istioctl/pkg/install/k8sversion/version.go, read at every
 * patch tag of istio/istio: 29 at 1.26.0 to 1.27.9, 1.28.0 and 1.28.1; 30 from 1.28.2 to 1.29.6; 32 at 1.30.0 to
 * 1.30.3. Below it {@code istioctl install} does not refuse: {@code Install} (operator/cmd/mesh/install.go) calls
 * {@code IsK8VersionSupported}, which prints "Proceeding with the installation, but you might experience problems"
 * and returns no error (the same at 1.28.0, 1.29.0 and 1.30.3). So the plan warns there too ({@code --strict} refuses);
 * {@code istioctl x precheck} reports it as IST0142, level Error (pkg/config/analysis/msg/messages.yaml).
 *
 * <p>The newest is from istio.io's support table (data/compatibility/supportStatus.yml, "k8sVersions"); istioctl
 * checks no upper bound, so above it the plan warns that the combination is untested.
 */
record KubernetesSupport(int oldestMinor, int newestMinor) {
    /**
     * istioctl's {@code MinK8SVersion} from an Istio patch release on: the Istio minor, the first patch, the
     * Kubernetes 1.x minor. Add a line when a release changes it.
     */
    record Minimum(String istio, int fromPatch, int kubernetes) {
    }

    static final List<Minimum> ISTIOCTL_MINIMUM = List.of(
            new Minimum("1.26", 0, 29),
            new Minimum("1.27", 0, 29),
            new Minimum("1.28", 0, 29),
            new Minimum("1.28", 2, 30),
            new Minimum("1.29", 0, 30),
            new Minimum("1.30", 0, 32));

    /** Istio minor to the newest Kubernetes 1.x minor istio.io lists for it; add a line for each new Istio release. */
    static final Map<String, Integer> NEWEST_LISTED = Map.of("1.26", 33, "1.27", 33, "1.28", 34, "1.29", 35, "1.30", 36);

    private static final Pattern DIGITS = Pattern.compile("^(\\d+)");

    /** The range for an Istio version such as "1.30.3" (a missing patch counts as 0); empty for releases the tables do not know. */
    static Optional<KubernetesSupport> forIstio(String istioVersion) {
        Optional<IstioRelease> release = IstioRelease.parse(istioVersion);
        if (release.isEmpty() || !NEWEST_LISTED.containsKey(release.get().minorName())) {
            return Optional.empty();
        }
        IstioRelease r = release.get();
        Integer oldest = null;
        for (Minimum m : ISTIOCTL_MINIMUM) {
            if (m.istio().equals(r.minorName()) && m.fromPatch() <= r.patch()) {
                oldest = m.kubernetes();
            }
        }
        return oldest == null ? Optional.empty() : Optional.of(new KubernetesSupport(oldest, NEWEST_LISTED.get(r.minorName())));
    }

    /** A server's minor version: managed clusters report e.g. "33+", so only the leading digits count. */
    static Optional<Integer> minor(String major, String minor) {
        if (!"1".equals(major == null ? null : major.trim())) {
            return Optional.empty();
        }
        Matcher m = DIGITS.matcher(minor == null ? "" : minor.trim());
        return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    }

    String range() {
        return "1." + oldestMinor + " to 1." + newestMinor;
    }

    /** What the plan says about running Istio {@code istio} on a server version: a warning, or empty. */
    static Optional<String> judge(String istio, String major, String minor) {
        Optional<KubernetesSupport> support = forIstio(istio);
        String server = major + "." + minor;
        if (support.isEmpty()) {
            return Optional.of("meshform knows no supported Kubernetes range for Istio " + istio + " (cluster: "
                    + server + "); check https://istio.io/latest/docs/releases/supported-releases/");
        }
        KubernetesSupport s = support.get();
        Optional<Integer> m = minor(major, minor);
        if (m.isEmpty()) {
            return Optional.of("cannot read the cluster's Kubernetes version \"" + server + "\"; Istio " + istio
                    + " supports " + s.range());
        }
        if (m.get() < s.oldestMinor) {
            return Optional.of("Kubernetes " + server + " is older than Istio " + istio + " supports (" + s.range()
                    + "; istioctl's minimum is 1." + s.oldestMinor + "): istioctl install proceeds with a warning, but"
                    + " you might experience problems; upgrade the cluster first, or choose an Istio release that"
                    + " supports it (`version` in the spec)");
        }
        if (m.get() > s.newestMinor) {
            return Optional.of("Kubernetes " + server + " is newer than Istio " + istio + " is tested with ("
                    + s.range() + "); check the release notes before relying on it");
        }
        return Optional.empty();
    }
}
