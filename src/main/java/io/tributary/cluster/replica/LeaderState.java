package io.tributary.cluster.replica;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A partition as its leader sees it (Kafka's {@code Partition} on the leader, minus the log): each follower's
 * log end offset (the offset of its last fetch) and when it last caught up, the ISR, and from them the high
 * watermark — the smallest log end offset over the ISR, the leader's own included. A follower joins the ISR
 * once its log end offset reaches the high watermark (and the start of the leader's epoch, so it holds every
 * record of this leader's term up to it); an ISR follower that has not caught up for {@code lagTimeMaxMs}
 * leaves it. ISR changes are only proposed here: the owner writes them to the partition state znode and
 * calls {@link #isr(List)} with what was committed.
 *
 * <p>Threading: one thread (the replica manager's context). Pure logic, no I/O.
 */
public final class LeaderState {
    private static final class Follower {
        long logEnd = -1;
        long lastCaughtUpMs;
        long lastFetchMs;
    }

    private final int self;
    private final int leaderEpoch;
    private final long epochStartOffset;
    private List<Integer> replicas;
    private final Map<Integer, Follower> followers = new HashMap<>();
    private Set<Integer> isr;

    /**
     * @param epochStartOffset the leader's log end offset when it became leader at {@code leaderEpoch}
     */
    public LeaderState(int self, int leaderEpoch, long epochStartOffset, List<Integer> replicas, List<Integer> isr, long nowMs) {
        this.self = self;
        this.leaderEpoch = leaderEpoch;
        this.epochStartOffset = epochStartOffset;
        this.replicas = List.copyOf(replicas);
        this.isr = new LinkedHashSet<>(isr);
        this.isr.add(self);
        for (int r : replicas) {
            if (r != self) {
                Follower f = new Follower();
                // Kafka's leader counts an ISR follower as caught up when it takes over: it has a full lag time.
                f.lastCaughtUpMs = isr.contains(r) ? nowMs : 0;
                followers.put(r, f);
            }
        }
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    public List<Integer> replicas() {
        return replicas;
    }

    public List<Integer> isr() {
        return new ArrayList<>(isr);
    }

    /**
     * The assignment changed (a reassignment adds replicas, then removes old ones): a new follower starts unknown
     * (not caught up), a removed one is forgotten.
     */
    public void replicas(List<Integer> now) {
        replicas = List.copyOf(now);
        followers.keySet().retainAll(now);
        for (int r : now) {
            if (r != self) {
                followers.computeIfAbsent(r, k -> new Follower());
            }
        }
    }

    /** What the partition state now says the ISR is (after a write, ours or the controller's). */
    public void isr(List<Integer> committed) {
        isr = new LinkedHashSet<>(committed);
        isr.add(self);
    }

    /**
     * A follower fetched at {@code fetchOffset} while the leader's log ended at {@code leaderLogEnd}.
     *
     * @return true if it is known to the partition (a replica)
     */
    public boolean fetched(int replica, long fetchOffset, long leaderLogEnd, long nowMs) {
        Follower f = followers.get(replica);
        if (f == null) {
            return false;
        }
        f.logEnd = fetchOffset;
        f.lastFetchMs = nowMs;
        if (fetchOffset >= leaderLogEnd) {
            f.lastCaughtUpMs = nowMs;
        }
        return true;
    }

    /**
     * The high watermark: the smallest log end offset over the ISR. A member not heard from since this leader
     * took over counts as 0 (the log keeps its high watermark from moving backwards), so nothing is reported
     * committed before every ISR member has shown it holds it.
     */
    public long highWatermark(long leaderLogEnd) {
        long hw = leaderLogEnd;
        for (int r : isr) {
            if (r == self) {
                continue;
            }
            Follower f = followers.get(r);
            long end = f == null ? -1 : f.logEnd;
            hw = Math.min(hw, Math.max(0, end));
        }
        return hw;
    }

    /**
     * The ISR with caught-up followers added and lagging ones removed; equal to {@link #isr()} when nothing
     * changes. A follower is added only while its broker is registered ({@code live}) and it fetched within
     * {@code lagTimeMaxMs} (a paused broker's last, caught-up fetch must not bring it back); a member leaves when it
     * has not caught up for {@code lagTimeMaxMs} or its broker is gone.
     */
    public List<Integer> proposedIsr(long highWatermark, long lagTimeMaxMs, long nowMs, java.util.Set<Integer> live) {
        List<Integer> next = new ArrayList<>();
        for (int r : replicas) {
            if (r == self) {
                next.add(r);
                continue;
            }
            Follower f = followers.get(r);
            boolean member = isr.contains(r);
            boolean alive = live.contains(r);
            if (member && alive && nowMs - f.lastCaughtUpMs <= lagTimeMaxMs) {
                next.add(r);
            } else if (!member && alive && nowMs - f.lastFetchMs <= lagTimeMaxMs && f.logEnd >= 0
                    && f.logEnd >= highWatermark && f.logEnd >= epochStartOffset) {
                next.add(r);
            }
        }
        return next;
    }
}
