package io.tributary.cluster;

import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Stops the shared cluster ({@link LocalCluster#shared}) when a test class starts that is not marked
 * {@link UsesSharedCluster}: an idle 3-node cluster costs about a fifth of a core, which the rest of the suite
 * would otherwise pay for. Registered through {@code META-INF/services}.
 */
public final class SharedClusterListener implements TestExecutionListener {
    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        LocalCluster.stopShared();
    }

    @Override
    public void executionStarted(TestIdentifier id) {
        if (!id.isContainer() || !(id.getSource().orElse(null) instanceof ClassSource source)) {
            return;
        }
        Class<?> c;
        try {
            c = source.getJavaClass();
        } catch (RuntimeException e) {
            return;
        }
        while (c.getEnclosingClass() != null) {
            c = c.getEnclosingClass();
        }
        if (!c.isAnnotationPresent(UsesSharedCluster.class)) {
            LocalCluster.stopShared();
        }
    }
}
