package io.tributary.client.kafka;

import io.reactivex.rxjava3.core.Flowable;
import io.tributary.client.testing.ClientVertx;
import io.tributary.client.testing.Target;
import io.vertx.core.Vertx;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client runs on the event loops of the Vert.x instance it is given and starts no thread of its own. Run against
 * the Apache Kafka broker ({@link OnApacheKafkaTest}), which lives in another process, so every thread that appears
 * in this JVM during the test is the client's doing.
 */
abstract class ClientThreads {
    abstract Target target();

    @Test
    void producingConsumingAndAdminCreateNoThreadsBeyondTheVertxEventLoops() throws Exception {
        Target target = target();
        Vertx vertx = ClientVertx.create();
        try {
            // Vert.x itself starts a cleaner and an acceptor thread with the first NetClient of an instance; a plain
            // NetClient connection made first accounts for them, so what appears afterwards is the client's.
            String[] hp = target.bootstrap().split(":");
            var warm = vertx.createNetClient();
            warm.connect(Integer.parseInt(hp[1]), hp[0]).compose(so -> so.close()).await(10, TimeUnit.SECONDS);
            warm.close().await(10, TimeUnit.SECONDS);
            Set<Thread> before = Thread.getAllStackTraces().keySet();
            String workersBefore = ClientVertx.workerThreadsEver(vertx);
            KafkaClient client = KafkaClient.create(vertx, new KafkaClientOptions().bootstrap(target.bootstrap()));
            client.admin().createTopic("threads", 2, (short) 1, Map.of()).blockingAwait(60, TimeUnit.SECONDS);
            RxProducer producer = client.producer(new ProducerOptions().compression("zstd"));
            producer.send(Flowable.range(0, 20_000).map(i -> ProduceRecord.of("threads", "k" + i, "v" + i)))
                    .ignoreElements().blockingAwait(60, TimeUnit.SECONDS);
            long n = client.consumer(new ConsumerOptions())
                    .assign(List.of(new TopicPartition("threads", 0), new TopicPartition("threads", 1)),
                            StartFrom.earliest())
                    .take(20_000).count().blockingGet();
            assertEquals(20_000, n);
            client.admin().endOffsets("threads").blockingGet();
            producer.close().blockingAwait(10, TimeUnit.SECONDS);
            client.close().blockingAwait(10, TimeUnit.SECONDS);

            // This instance's worker pools started no thread (a blocking call handed off to a worker would have):
            // worker threads of other Vert.x instances in this JVM (a test node's, from an earlier class, whose pool
            // replaces idle threads) may appear meanwhile and are not the client's.
            assertEquals(workersBefore, ClientVertx.workerThreadsEver(vertx),
                    "threads ever started by the client's Vert.x worker and internal-blocking pools");
            Set<String> created = Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t))
                    .filter(t -> !(t instanceof io.vertx.core.impl.VertxThread v && v.isWorker()))
                    .map(Thread::getName).collect(Collectors.toSet());
            Set<String> notEventLoops = created.stream().filter(name -> !name.startsWith("vert.x-eventloop-thread-"))
                    .collect(Collectors.toSet());
            assertEquals(Set.of(), notEventLoops, "threads the client created besides Vert.x event loops");
            assertTrue(created.size() <= 2, "at most the instance's 2 event loops started: " + created);
        } finally {
            ClientVertx.close(vertx);
        }
    }
}
