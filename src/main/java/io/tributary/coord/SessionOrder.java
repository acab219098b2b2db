package io.tributary.coord;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-session request order in cluster mode, as ZooKeeper's CommitProcessor keeps it: a session's writes
 * are proposed at once (pipelined; the log keeps their order), but a read (or a sync) waits until every
 * earlier request of its session has completed, so a client always reads its own writes in the order it
 * sent them. A session with nothing in flight costs nothing: its reads run at once.
 *
 * <p>Threading: the coordinator thread only.
 */
final class SessionOrder {
    /** One request: {@code start} runs it; {@link #done} is called once it has its result. */
    static final class Step {
        private final boolean write;
        private final Runnable start;
        private boolean started;
        private boolean finished;
        private Queue queue;

        Step(boolean write, Runnable start) {
            this.write = write;
            this.start = start;
        }

        void done() {
            finished = true;
            if (queue != null) {
                queue.drain();
            }
        }
    }

    private final class Queue {
        final long session;
        final ArrayDeque<Step> steps = new ArrayDeque<>();
        boolean draining;
        boolean again;

        Queue(long session) {
            this.session = session;
        }

        void drain() {
            if (draining) {
                again = true;
                return;
            }
            draining = true;
            try {
                do {
                    again = false;
                    while (!steps.isEmpty() && steps.peekFirst().finished) {
                        steps.pollFirst();
                    }
                    boolean clear = true;
                    for (Step s : new ArrayList<>(steps)) {
                        if (!s.started && (s.write || clear)) {
                            s.started = true;
                            s.start.run();
                        }
                        clear &= s.finished;
                    }
                } while (again);
                while (!steps.isEmpty() && steps.peekFirst().finished) {
                    steps.pollFirst();
                }
                if (steps.isEmpty()) {
                    queues.remove(session);
                }
            } finally {
                draining = false;
            }
        }
    }

    private final Map<Long, Queue> queues = new HashMap<>();

    /** Runs {@code step} now if nothing of its session is in flight (or it is a write), else once allowed. */
    void submit(long session, Step step) {
        Queue q = queues.get(session);
        if (q == null && !step.write) {
            step.started = true;
            step.start.run(); // fast path: an idle session's read
            if (step.finished) {
                return;
            }
            q = new Queue(session); // still running (a sync): later requests of the session wait for it
            queues.put(session, q);
            step.queue = q;
            q.steps.addLast(step);
            return;
        }
        if (q == null) {
            q = new Queue(session);
            queues.put(session, q);
        }
        step.queue = q;
        q.steps.addLast(step);
        q.drain();
    }
}
