package io.meshform.providers.istio.core;

import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Istio version as specs, istioctl's labels and proxy image tags write it: "1.30", "1.30.3",
 * "1.31.0-alpha.eed52ebb66ad", "1.30.3-distroless". A missing patch counts as 0; anything after a '-' marks a
 * pre-release, which sorts before the release of the same numbers.
 */
public record IstioRelease(int major, int minor, int patch, boolean preRelease) implements Comparable<IstioRelease> {
    private static final Pattern FORM = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?(-)?");
    private static final Comparator<IstioRelease> ORDER = Comparator.comparingInt(IstioRelease::major)
            .thenComparingInt(IstioRelease::minor).thenComparingInt(IstioRelease::patch)
            .thenComparing(r -> !r.preRelease());

    public static Optional<IstioRelease> parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(new IstioRelease(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3)), m.group(4) != null));
    }

    /** Both parse and name the same minor release ("1.30" and "1.30.3"). */
    public static boolean sameMinor(String a, String b) {
        Optional<IstioRelease> x = parse(a);
        Optional<IstioRelease> y = parse(b);
        return x.isPresent() && y.isPresent() && x.get().major == y.get().major && x.get().minor == y.get().minor;
    }

    /** Compares two versions by their numbers; an unreadable one sorts first. */
    public static int compare(String a, String b) {
        return Comparator.nullsFirst(ORDER).compare(parse(a).orElse(null), parse(b).orElse(null));
    }

    /** "1.30". */
    public String minorName() {
        return major + "." + minor;
    }

    @Override
    public int compareTo(IstioRelease o) {
        return ORDER.compare(this, o);
    }
}
