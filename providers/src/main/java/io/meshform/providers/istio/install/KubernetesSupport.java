package io.meshform.providers.istio.install;

import io.meshform.providers.istio.core.IstioRelease;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Kubernetes versions each Istio minor release supports, from Istio's support table
 * (istio.io data/compatibility/supportStatus.yml, "k8sVersions"). Below the range Istio may use APIs the cluster
 * lacks, so the plan fails; above it the combination is untested, so the plan warns.
 */
record KubernetesSupport(int oldestMinor, int newestMinor) {
    /** Istio minor (e.g. "1.30") to its supported Kubernetes 1.x minors; add a line for each new Istio release. */
    static final Map<String, KubernetesSupport> BY_ISTIO = Map.of(
            "1.26", new KubernetesSupport(29, 33),
            "1.27", new KubernetesSupport(29, 33),
            "1.28", new KubernetesSupport(30, 34),
            "1.29", new KubernetesSupport(31, 35),
            "1.30", new KubernetesSupport(32, 36));

    private static final Pattern DIGITS = Pattern.compile("^(\\d+)");

    /** The range for an Istio version such as "1.30.3"; empty for releases the table does not know. */
    static Optional<KubernetesSupport> forIstio(String istioVersion) {
        return IstioRelease.parse(istioVersion).map(IstioRelease::minorName).map(BY_ISTIO::get);
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

    /** What the plan says about running Istio {@code istio} on a server version: an error, a warning, or nothing. */
    record Verdict(String error, String warning) {
        static final Verdict OK = new Verdict(null, null);
    }

    static Verdict judge(String istio, String major, String minor) {
        Optional<KubernetesSupport> support = forIstio(istio);
        String server = major + "." + minor;
        if (support.isEmpty()) {
            return new Verdict(null, "meshform knows no supported Kubernetes range for Istio " + istio + " (cluster: "
                    + server + "); check https://istio.io/latest/docs/releases/supported-releases/");
        }
        KubernetesSupport s = support.get();
        Optional<Integer> m = minor(major, minor);
        if (m.isEmpty()) {
            return new Verdict(null, "cannot read the cluster's Kubernetes version \"" + server + "\"; Istio " + istio
                    + " supports " + s.range());
        }
        if (m.get() < s.oldestMinor) {
            return new Verdict("Kubernetes " + server + " is older than Istio " + istio + " supports (" + s.range() + ")", null);
        }
        if (m.get() > s.newestMinor) {
            return new Verdict(null, "Kubernetes " + server + " is newer than Istio " + istio + " is tested with ("
                    + s.range() + "); check the release notes before relying on it");
        }
        return Verdict.OK;
    }
}
