package io.tributary.zk;

import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Connects the real ZooKeeper client and records its events. */
final class ZkSupport {
    private ZkSupport() {
    }

    /** A watcher that queues every event (session state changes included). */
    static final class Events implements Watcher {
        final BlockingQueue<WatchedEvent> queue = new LinkedBlockingQueue<>();

        @Override
        public void process(WatchedEvent event) {
            queue.add(event);
        }

        /** The next node event (state-only events skipped), or a failure after 10 s. */
        WatchedEvent next() throws InterruptedException {
            while (true) {
                WatchedEvent e = queue.poll(10, TimeUnit.SECONDS);
                if (e == null) {
                    throw new AssertionError("no watch event within 10 s");
                }
                if (e.getType() != Event.EventType.None) {
                    return e;
                }
            }
        }

        /** Asserts no node event arrives within {@code ms}. */
        WatchedEvent poll(long ms) throws InterruptedException {
            long deadline = System.currentTimeMillis() + ms;
            while (true) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return null;
                }
                WatchedEvent e = queue.poll(left, TimeUnit.MILLISECONDS);
                if (e == null || e.getType() != Event.EventType.None) {
                    return e;
                }
            }
        }
    }

    static ZooKeeper connect(String connect, int timeoutMs, Watcher watcher) throws IOException, InterruptedException {
        CountDownLatch up = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connect, timeoutMs, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                up.countDown();
            }
            if (watcher != null) {
                watcher.process(e);
            }
        });
        if (!up.await(20, TimeUnit.SECONDS)) {
            zk.close();
            throw new AssertionError("ZooKeeper client did not connect to " + connect);
        }
        return zk;
    }
}
