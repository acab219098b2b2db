package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.tributary.log.PartitionLog;
import io.vertx.core.Future;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopic;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DescribeLogDirsRequest;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * DescribeLogDirs (v1-4; what {@code kafka-log-dirs.sh --describe} asks every broker): this broker's one log
 * directory (the data dir) with the size of each local partition replica, its offset lag (high watermark minus
 * log end offset, at least 0, as Kafka reports for a current log) and, from v4, the file system's total and
 * usable bytes. {@code topics} null asks for every partition. The disk figures are read on a worker.
 */
public final class DescribeLogDirsHandler implements ApiHandler {
    private final KafkaBroker broker;

    public DescribeLogDirsHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        DescribeLogDirsRequestData req = ((DescribeLogDirsRequest) request).data();
        Map<String, DescribeLogDirsTopic> topics = new TreeMap<>();
        for (PartitionLog log : broker.logs().manager().allPartitions()) {
            String topic = log.topicPartition().topic();
            int partition = log.topicPartition().partition();
            if (req.topics() != null && !asked(req, topic, partition)) {
                continue;
            }
            topics.computeIfAbsent(topic, t -> new DescribeLogDirsTopic().setName(t)).partitions()
                    .add(new DescribeLogDirsPartition().setPartitionIndex(partition).setPartitionSize(log.sizeInBytes())
                            .setOffsetLag(Math.max(0, log.highWatermark() - log.logEndOffset())).setIsFutureKey(false));
        }
        for (DescribeLogDirsTopic t : topics.values()) {
            t.partitions().sort(java.util.Comparator.comparingInt(DescribeLogDirsPartition::partitionIndex));
        }
        java.nio.file.Path dir = broker.logs().manager().dataDir().toAbsolutePath();
        return broker.vertx().executeBlocking(() -> {
            DescribeLogDirsResult result = new DescribeLogDirsResult().setErrorCode(Errors.NONE.code())
                    .setLogDir(dir.toString()).setTopics(new ArrayList<>(topics.values()));
            try {
                FileStore store = Files.getFileStore(dir);
                result.setTotalBytes(store.getTotalSpace()).setUsableBytes(store.getUsableSpace());
            } catch (IOException e) {
                result.setTotalBytes(-1).setUsableBytes(-1);
            }
            return (ApiMessage) new DescribeLogDirsResponseData().setErrorCode(Errors.NONE.code())
                    .setResults(new ArrayList<>(List.of(result)));
        }, false);
    }

    private static boolean asked(DescribeLogDirsRequestData req, String topic, int partition) {
        DescribableLogDirTopic t = req.topics().find(topic);
        return t != null && t.partitions().contains(partition);
    }
}
