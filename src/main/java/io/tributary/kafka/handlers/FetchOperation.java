package io.tributary.kafka.handlers;

import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.Leadership;
import io.tributary.kafka.RecordsRegion;
import io.tributary.kafka.RequestContext;
import io.tributary.log.FetchDataInfo;
import io.tributary.log.FetchIsolation;
import io.tributary.log.PartitionLog;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One Fetch request: reads every requested partition on its owner, in request order, sharing the
 * response's byte budget (the first non-empty partition may exceed it by one batch, KIP-74), and
 * answers at once when it has {@code min.bytes}, hit an error, or {@code max.wait.ms} is zero.
 * Otherwise it waits — woken by appends to any of its partitions (transaction markers included: a
 * read_committed fetch waits for the last stable offset), bounded by {@code max.wait.ms} — and reads again.
 * read_committed reads stop at the last stable offset and list the aborted transactions of what they return. All state is confined to the connection's event loop; append callbacks only
 * schedule work onto it.
 */
final class FetchOperation {
    private record Target(FetchableTopicResponse topicResp, PartitionData resp, TopicPartition tp,
                          FetchRequestData.FetchPartition req) {
    }

    private final KafkaBroker broker;
    private final RequestContext ctx;
    private final FetchRequestData req;
    private final short version;
    private final int maxWaitMs;
    private final Promise<FetchResponseData> promise = Promise.promise();
    private final List<Runnable> unwatch = new ArrayList<>();
    private long timer = -1;
    private boolean timerFired;
    private boolean reading;
    private boolean wokenWhileReading;
    private boolean finished;
    /** A follower's fetch (cluster mode): reads go to the log end, and the leader learns the follower's progress. */
    private final int replicaId;
    /** A consumer's read: to the high watermark (read_uncommitted) or the last stable offset (read_committed). */
    private final FetchIsolation isolation;
    private boolean reported;

    FetchOperation(KafkaBroker broker, RequestContext ctx, FetchRequestData req, short version, int maxWaitCapMs) {
        this.broker = broker;
        this.ctx = ctx;
        this.req = req;
        this.version = version;
        this.maxWaitMs = Math.max(0, Math.min(req.maxWaitMs(), maxWaitCapMs));
        this.replicaId = broker.clustered() ? org.apache.kafka.common.requests.FetchRequest.replicaId(req) : -1;
        this.isolation = FetchIsolation.ofConsumer(version >= 4 ? req.isolationLevel() : 0);
    }

    Future<FetchResponseData> run() {
        attempt(false);
        return promise.future();
    }

    private void attempt(boolean deadlineReached) {
        reading = true;
        readAll().onComplete(ar -> {
            reading = false;
            reported = true;
            if (finished) {
                return;
            }
            if (ar.failed()) {
                finish(null, ar.cause());
                return;
            }
            Result result = ar.result();
            if (deadlineReached || maxWaitMs == 0 || result.hasError || result.bytes >= Math.max(1, req.minBytes())
                    || result.targets == 0 || ctx.connection().isClosed()) {
                finish(result.response, null);
                return;
            }
            if (timer < 0) {
                startWaiting(result);
            } else if (wokenWhileReading) {
                wokenWhileReading = false;
                attempt(false);
            }
        });
    }

    private void startWaiting(Result first) {
        for (TopicPartition tp : first.partitions) {
            unwatch.add(broker.logs().watchAppends(tp, () -> ctx.context().runOnContext(v -> onAppend())));
        }
        timer = broker.vertx().setTimer(maxWaitMs, id -> {
            timerFired = true;
            if (!finished) {
                if (reading) {
                    wokenWhileReading = true;
                }
                attempt(true);
            }
        });
    }

    private void onAppend() {
        if (finished) {
            return;
        }
        if (reading) {
            wokenWhileReading = true;
        } else {
            attempt(false);
        }
    }

    private void finish(FetchResponseData response, Throwable failure) {
        finished = true;
        unwatch.forEach(Runnable::run);
        if (timer >= 0 && !timerFired) {
            broker.vertx().cancelTimer(timer);
        }
        if (failure != null) {
            promise.fail(failure);
        } else {
            promise.complete(response);
        }
    }

    private static final class Result {
        FetchResponseData response;
        List<TopicPartition> partitions = new ArrayList<>();
        long bytes;
        boolean hasError;
        int targets;
    }

    private Future<Result> readAll() {
        Map<String, TopicInfo> catalog = broker.logs().manager().topics();
        Result result = new Result();
        result.response = new FetchResponseData().setSessionId(0).setErrorCode(Errors.NONE.code());
        List<Target> targets = new ArrayList<>();
        for (FetchRequestData.FetchTopic topic : req.topics()) {
            boolean byId = version >= 13;
            TopicInfo info = byId ? broker.logs().manager().topicById(topic.topicId()) : catalog.get(topic.topic());
            FetchableTopicResponse topicResp = new FetchableTopicResponse().setTopic(topic.topic()).setTopicId(topic.topicId());
            result.response.responses().add(topicResp);
            for (FetchRequestData.FetchPartition p : topic.partitions()) {
                PartitionData pd = emptyPartition(p.partition());
                topicResp.partitions().add(pd);
                if (info == null || p.partition() < 0 || p.partition() >= info.partitions()) {
                    pd.setErrorCode((info == null && byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code());
                    result.hasError = true;
                    continue;
                }
                Errors leader = Leadership.check(broker, info.name(), p.partition(), p.currentLeaderEpoch());
                if (leader != Errors.NONE) {
                    pd.setErrorCode(leader.code());
                    result.hasError = true;
                    continue;
                }
                TopicPartition tp = new TopicPartition(info.name(), p.partition());
                result.partitions.add(tp);
                targets.add(new Target(topicResp, pd, tp, p));
            }
        }
        result.targets = targets.size();
        int budget = version >= 3 ? Math.max(0, req.maxBytes()) : Integer.MAX_VALUE;
        return readFrom(targets, 0, budget, result);
    }

    private Future<Result> readFrom(List<Target> targets, int i, long budget, Result result) {
        if (i == targets.size()) {
            return Future.succeededFuture(result);
        }
        Target t = targets.get(i);
        int max = (int) Math.max(0, Math.min(t.req.partitionMaxBytes(), budget));
        boolean minOneMessage = result.bytes == 0;
        Future<FetchDataInfo> read = replicaId >= 0 ? replicaRead(t, max, minOneMessage)
                : broker.logs().read(t.tp, t.req.fetchOffset(), max, minOneMessage, isolation);
        return read
                .transform(ar -> {
                    if (ar.succeeded() && ar.result() == null) {
                        // The follower's log diverges from ours: it truncates first (divergingEpoch is set).
                        PartitionLog log = broker.logs().partition(t.tp);
                        t.resp.setHighWatermark(log.highWatermark()).setLastStableOffset(log.lastStableOffset())
                                .setLogStartOffset(log.logStartOffset());
                        result.hasError = true;
                    } else if (ar.succeeded()) {
                        FetchDataInfo data = ar.result();
                        fill(t.resp, data, version);
                        result.bytes += data.sizeInBytes();
                    } else {
                        t.resp.setErrorCode(Errors.forException(ar.cause()).code());
                        PartitionLog log = broker.logs().partition(t.tp);
                        if (log != null) {
                            t.resp.setHighWatermark(log.highWatermark())
                                    .setLastStableOffset(log.lastStableOffset())
                                    .setLogStartOffset(log.logStartOffset());
                        }
                        result.hasError = true;
                    }
                    long left = budget - (ar.succeeded() && ar.result() != null ? ar.result().sizeInBytes() : 0);
                    return readFrom(targets, i + 1, left, result);
                });
    }

    /**
     * A follower's read: first KIP-320's check of the epoch of its last fetched record against our epoch
     * history (a diverging epoch answers with where our history of that epoch ends, and no records: null), then
     * a read to the log end. The first read of this request tells the replica manager the follower's position.
     */
    private Future<FetchDataInfo> replicaRead(Target t, int max, boolean minOneMessage) {
        int last = t.req.lastFetchedEpoch();
        long offset = t.req.fetchOffset();
        Future<Boolean> diverged = last < 0 ? Future.succeededFuture(false)
                : broker.logs().endOffsetForEpoch(t.tp, last).map(eo -> {
                    if (eo.epoch() < last || eo.endOffset() < offset) {
                        t.resp.setDivergingEpoch(new FetchResponseData.EpochEndOffset().setEpoch(eo.epoch())
                                .setEndOffset(eo.endOffset()));
                        return true;
                    }
                    return false;
                });
        return diverged.compose(d -> {
            if (d) {
                return Future.succeededFuture((FetchDataInfo) null);
            }
            if (!reported) {
                broker.cluster().followerFetched(replicaId, t.tp, offset);
            }
            return broker.logs().read(t.tp, offset, max, minOneMessage, FetchIsolation.LOG_END);
        });
    }

    private PartitionData emptyPartition(int index) {
        PartitionData pd = new PartitionData()
                .setPartitionIndex(index)
                .setHighWatermark(-1)
                .setLastStableOffset(-1)
                .setLogStartOffset(-1)
                .setPreferredReadReplica(-1)
                .setRecords(MemoryRecords.EMPTY);
        if (version >= 4) {
            // read_committed readers expect a (here always empty) aborted-transactions list.
            pd.setAbortedTransactions(req.isolationLevel() == 1 ? new ArrayList<>() : null);
        }
        return pd;
    }

    private static void fill(PartitionData pd, FetchDataInfo data, short version) {
        pd.setErrorCode(Errors.NONE.code())
                .setHighWatermark(data.highWatermark())
                .setLastStableOffset(data.lastStableOffset())
                .setLogStartOffset(data.logStartOffset());
        if (version >= 4 && data.abortedTransactions() != null) {
            // read_committed: the client drops the records of these transactions itself (KIP-98)
            pd.setAbortedTransactions(new ArrayList<>(data.abortedForResponse()));
        }
        if (data.channel() != null && data.sizeInBytes() > 0) {
            pd.setRecords(new RecordsRegion(data.channel(), data.filePosition(), data.sizeInBytes()));
        } else if (data.records() instanceof MemoryRecords m) {
            pd.setRecords(m);
        }
    }

}
