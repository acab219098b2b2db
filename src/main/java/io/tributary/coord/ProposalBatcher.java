package io.tributary.coord;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Group commit for an ensemble: commands queued while the coordinator context is busy go out as one log
 * entry ({@link Command#encodeBatch}). The flush is a task queued behind the ones already waiting, so an idle
 * node proposes at once and a loaded one batches; a batch also goes out when it reaches {@link #MAX_BATCH}
 * commands or {@link #MAX_BATCH_BYTES}. Used on the coordinator context only; {@code onLost} callbacks run there.
 */
final class ProposalBatcher {
    static final int MAX_BATCH = 1000;
    static final int MAX_BATCH_BYTES = 4 << 20;

    private final Replication log;
    private final Executor onContext;
    private final List<byte[]> batch = new ArrayList<>();
    private final List<Consumer<Throwable>> batchLost = new ArrayList<>();
    private int batchBytes;
    private boolean flushQueued;

    ProposalBatcher(Replication log, Executor onContext) {
        this.log = log;
        this.onContext = onContext;
    }

    /** Queues a command for the next proposal; {@code onLost} runs on the context if its entry cannot be committed. */
    void submit(byte[] command, Consumer<Throwable> onLost) {
        batch.add(command);
        batchLost.add(onLost);
        batchBytes += command.length;
        if (batch.size() >= MAX_BATCH || batchBytes >= MAX_BATCH_BYTES) {
            flush();
        } else if (!flushQueued) {
            flushQueued = true;
            onContext.execute(this::flush);
        }
    }

    private void flush() {
        flushQueued = false;
        if (batch.isEmpty()) {
            return;
        }
        byte[] entry = Command.encodeBatch(batch);
        List<Consumer<Throwable>> lost = new ArrayList<>(batchLost);
        batch.clear();
        batchLost.clear();
        batchBytes = 0;
        log.propose(entry).whenComplete((v, e) -> {
            if (e != null) {
                onContext.execute(() -> lost.forEach(l -> l.accept(e)));
            }
        });
    }
}
