package io.tributary.cluster;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test class that takes its cluster from {@link LocalCluster#shared}: while classes with this annotation run one
 * after another the shared cluster stays up; the first class without it stops the cluster
 * ({@link SharedClusterListener}), so it does not idle through the rest of the suite.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface UsesSharedCluster {
}
