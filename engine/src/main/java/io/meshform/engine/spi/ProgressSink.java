package io.meshform.engine.spi;

/** Lets a long provider step (an istioctl install, a rollout wait) show that it is alive. */
@FunctionalInterface
public interface ProgressSink {
    ProgressSink NONE = message -> { };

    void note(String message);
}
