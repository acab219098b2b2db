package io.tributary.log;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.tributary.log.LogTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** The asynchronous wrappers a replica fetcher and a leader use, on real owner event loops. */
class LogServiceReplicationTest {
    @TempDir Path dir;
    Vertx vertx;
    LogManager manager;
    LogService service;
    static final TopicPartition LEADER = new TopicPartition("leader", 0);
    static final TopicPartition FOLLOWER = new TopicPartition("follower", 0);

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        manager = new LogManager(dir, LogConfig.brokerDefaults(Map.of()), new ManualTime(T0), DIRECT);
        manager.startup();
        service = new LogService(vertx, manager, 2);
        await(service.start());
    }

    @AfterEach
    void stop() throws Exception {
        await(service.stop());
        manager.shutdown();
        await(vertx.close());
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aFollowerReplicatesTheLeaderThroughTheService() throws Exception {
        Uuid id = Uuid.randomUuid();
        assertEquals(id, await(service.createTopic("leader", id, 1, Map.of())).topicId());
        await(service.createTopic("follower", Uuid.randomUuid(), 1, Map.of()));
        await(service.setHighWatermarkFollowsLogEnd(LEADER, false));
        await(service.setHighWatermarkFollowsLogEnd(FOLLOWER, false));
        await(service.append(LEADER, batch(T0, 3), 1));
        await(service.append(LEADER, batch(T0, 2), 4));

        assertEquals(0, await(service.read(LEADER, 0, 1 << 20, true)).sizeInBytes(), "a consumer sees nothing above the HW (0)");
        FetchDataInfo fetched = await(service.read(LEADER, 0, 1 << 20, true, FetchIsolation.LOG_END));
        assertEquals(5, fetched.logEndOffset());
        LogAppendInfo info = await(service.appendAsFollower(FOLLOWER, MemoryRecords.readableRecords(bytesOf(fetched.records()))));
        assertEquals(0, info.firstOffset());
        assertEquals(4, info.lastOffset());
        assertEquals(new LeaderEpochFileCache.EpochAndOffset(1, 3), await(service.endOffsetForEpoch(FOLLOWER, 1)));
        assertEquals(4, service.partition(FOLLOWER).latestEpoch());

        CountDownLatch woken = new CountDownLatch(1);
        Runnable unwatch = service.watchAppends(LEADER, woken::countDown);
        assertEquals(3L, await(service.updateHighWatermark(LEADER, 3)));
        assertTrue(woken.await(10, TimeUnit.SECONDS), "a waiting fetch wakes when the HW moves");
        unwatch.run();
        assertEquals(3L, await(service.updateHighWatermark(LEADER, 1)), "the leader's HW never goes back");
        java.util.List<long[]> visible = offsets(await(service.read(LEADER, 0, 1 << 20, true)).records());
        assertEquals(1, visible.size(), "a consumer reads the batches below the HW only");
        assertArrayEquals(new long[] {0, 2}, visible.get(0));

        assertEquals(5L, await(service.followerHighWatermark(FOLLOWER, 9)), "clamped to the follower's log end");
        assertEquals(3L, await(service.truncateTo(FOLLOWER, 3, "test: leader epoch 4 diverged")));
        assertEquals(3, service.partition(FOLLOWER).highWatermark());
        await(service.truncateFullyAndStartAt(FOLLOWER, 40, "test: out of range"));
        assertEquals(40, service.partition(FOLLOWER).logStartOffset());
        assertEquals(-1, service.partition(FOLLOWER).latestEpoch());
    }
}
