package io.tributary.client.zk;

import io.tributary.client.testing.ZkTarget;
import org.junit.jupiter.api.Nested;

/** Every ZooKeeper client contract against an in-process Tributary node (one node per contract class). */
class ZkOnTributaryTest {
    @Nested
    class Ops extends ZkOpsContract {
        @Override
        ZkTarget target() {
            return ZkTarget.tributary();
        }
    }

    @Nested
    class Watches extends ZkWatchContract {
        @Override
        ZkTarget target() {
            return ZkTarget.tributary();
        }
    }

    @Nested
    class Sessions extends ZkSessionContract {
        @Override
        ZkTarget target() {
            return ZkTarget.tributary();
        }
    }

    @Nested
    class Recipes extends ZkRecipesContract {
        @Override
        ZkTarget target() {
            return ZkTarget.tributary();
        }
    }
}
