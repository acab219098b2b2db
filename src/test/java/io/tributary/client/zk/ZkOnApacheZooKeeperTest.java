package io.tributary.client.zk;

import io.tributary.client.testing.ZkTarget;
import org.junit.jupiter.api.Nested;

/** Every ZooKeeper client contract against a real Apache ZooKeeper 3.9 server (embedded, one per contract class). */
class ZkOnApacheZooKeeperTest {
    @Nested
    class Ops extends ZkOpsContract {
        @Override
        ZkTarget target() {
            return ZkTarget.apacheZooKeeper();
        }
    }

    @Nested
    class Watches extends ZkWatchContract {
        @Override
        ZkTarget target() {
            return ZkTarget.apacheZooKeeper();
        }
    }

    @Nested
    class Sessions extends ZkSessionContract {
        @Override
        ZkTarget target() {
            return ZkTarget.apacheZooKeeper();
        }
    }

    @Nested
    class Recipes extends ZkRecipesContract {
        @Override
        ZkTarget target() {
            return ZkTarget.apacheZooKeeper();
        }
    }

    @Nested
    class Threads extends ZkClientThreads {
        @Override
        ZkTarget target() {
            return ZkTarget.apacheZooKeeper();
        }
    }
}
