package io.meshform.providers.istio.core;

import java.nio.file.Path;
import java.util.Map;

/** An istioctl whose offline answers are kept in a test's own directory, for tests outside this package. */
public final class CachingIstioctl {
    private CachingIstioctl() {
    }

    public static Istioctl in(Path binary, Path cache) {
        return new Istioctl(binary.toString(), "the test bed", null, null, new OfflineOutputs(cache, Map.of()));
    }
}
