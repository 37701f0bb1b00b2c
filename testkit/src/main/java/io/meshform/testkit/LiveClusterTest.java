package io.meshform.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class (or method) as needing a live Kubernetes API server: the {@link LiveCluster} extension
 * provides a {@link ClusterContext} or a {@code KubernetesClient} as a test method parameter.
 *
 * <p>Which cluster is used is chosen by the system property {@code meshform.cluster} ({@code local}, the default,
 * {@code k3s} or {@code kubeconfig}) and the environment variable {@code MESHFORM_TEST_KUBECONFIG}; see
 * {@link LiveCluster}. When no cluster can be had, the tests fail; they are never skipped.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Tag("live-cluster")
@ExtendWith(LiveCluster.class)
public @interface LiveClusterTest {}
