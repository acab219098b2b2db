package io.tributary.cluster;

import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LogAppender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Tells the followers about a new commit index at once. Ratis sends the leader's commit index to a follower
 * only with the next append: a log-metadata entry it appends after each commit (which a follower must write
 * and fsync before it applies anything) or the next heartbeat (half the election timeout); and a heartbeat
 * sent while an append to that follower is in flight carries no commit index a follower can use (it has no
 * previous entry to check it against). A ZooKeeper leader sends COMMIT as soon as a quorum acknowledged;
 * without this, a watch on a follower fired about 4 ms after the leader applied the write (500 ms with log
 * metadata off).
 *
 * <p>So on the leader, after each applied entry, a daemon thread ({@code tributary-commit-push}) looks at each
 * follower as Ratis's public {@link LogAppender}/{@code FollowerInfo} show it: one that is behind the commit
 * index and has no append in flight is asked for a heartbeat ({@link LogAppender#triggerHeartbeat()}), which
 * carries the commit index; one with an append in flight is looked at again every {@link #POLL_NANOS} until
 * its reply is in, for at most {@link #WATCH_NANOS}. Ratis's log metadata is turned off
 * ({@code raft.server.log.log-metadata.enabled=false}): its entry would be in flight just when the
 * heartbeat is wanted.
 *
 * <p>The appenders are reached through Ratis's package-private server internals (RaftServerImpl.getRole()
 * -> RoleInfo.getLeaderState() -> LeaderStateImpl.getLogAppenders()), by reflection against the pinned Ratis
 * version; if they are not there, this logs once and does nothing (followers then learn commits from
 * heartbeats alone: later, but correctly). Only when Ratis sends a heartbeat changes, never what it sends.
 */
final class CommitPush {
    private static final Logger LOG = LoggerFactory.getLogger(CommitPush.class);
    static final long POLL_NANOS = 100_000;
    static final long WATCH_NANOS = 20_000_000;

    private final Method getRole;
    private final Method getLeaderState;
    private final Method getLogAppenders;
    private final Object signal = new Object();
    private final Map<Object, Long> pushedAt = new HashMap<>();
    private boolean pending;
    private volatile boolean running = true;
    private volatile boolean broken;

    private final RaftServer.Division division;

    private CommitPush(RaftServer.Division division, Method getRole, Method getLeaderState, Method getLogAppenders) {
        this.division = division;
        this.getRole = getRole;
        this.getLeaderState = getLeaderState;
        this.getLogAppenders = getLogAppenders;
        if (division != null) {
            Thread t = new Thread(this::run, "tributary-commit-push");
            t.setDaemon(true);
            t.start();
        }
    }

    /** For the division of {@code groupId} on {@code server}; a no-op instance if Ratis's internals differ. */
    static CommitPush of(RaftServer server, RaftGroupId groupId) {
        try {
            RaftServer.Division division = server.getDivision(groupId);
            Method role = accessible(division.getClass(), "getRole");
            Method leader = accessible(role.getReturnType(), "getLeaderState");
            Class<?> leaderState = Class.forName("org.apache.ratis.server.impl.LeaderStateImpl");
            Method appenders = accessible(leaderState, "getLogAppenders");
            return new CommitPush(division, role, leader, appenders);
        } catch (Exception | LinkageError e) {
            LOG.warn("cannot reach Ratis's log appenders ({}): followers learn commits at Ratis's own pace", e.toString());
            return new CommitPush(null, null, null, null);
        }
    }

    private static Method accessible(Class<?> type, String name) throws NoSuchMethodException {
        for (Class<?> t = type; t != null; t = t.getSuperclass()) {
            for (Method m : t.getDeclaredMethods()) {
                if (m.getName().equals(name) && m.getParameterCount() == 0) {
                    m.setAccessible(true);
                    return m;
                }
            }
        }
        throw new NoSuchMethodException(type.getName() + "." + name + "()");
    }

    /** After an entry was applied (any node, Ratis's thread): on the leader, the followers hear of it soon. */
    void committed() {
        // Followers apply every entry too: only a leader wakes the thread.
        if (division == null || broken || !division.getInfo().isLeader()) {
            return;
        }
        synchronized (signal) {
            pending = true;
            signal.notify();
        }
    }

    void stop() {
        running = false;
        synchronized (signal) {
            signal.notify();
        }
    }

    private void run() {
        while (running && !broken) {
            synchronized (signal) {
                while (!pending && running) {
                    try {
                        signal.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                pending = false;
            }
            long until = System.nanoTime() + WATCH_NANOS;
            while (running && pushRound() && System.nanoTime() < until) {
                LockSupport.parkNanos(POLL_NANOS);
            }
        }
    }

    /** One look at every follower; true while some follower is still behind the commit index. */
    private boolean pushRound() {
        try {
            Optional<?> leader = (Optional<?>) getLeaderState.invoke(getRole.invoke(division));
            if (leader.isEmpty()) {
                pushedAt.clear();
                return false;
            }
            long committed = division.getRaftLog().getLastCommittedIndex();
            boolean behind = false;
            for (Object o : ((Stream<?>) getLogAppenders.invoke(leader.get())).toList()) {
                LogAppender a = (LogAppender) o;
                FollowerInfo f = a.getFollower();
                if (f.getCommitIndex() >= committed) {
                    continue;
                }
                behind = true;
                boolean inFlight = f.getNextIndex() > f.getMatchIndex() + 1;
                Long pushed = pushedAt.get(f.getId());
                if (!inFlight && (pushed == null || pushed < committed)) {
                    pushedAt.put(f.getId(), committed);
                    a.triggerHeartbeat();
                }
            }
            return behind;
        } catch (ReflectiveOperationException | RuntimeException e) {
            broken = true;
            LOG.warn("pushing the commit index to followers failed ({}); left to Ratis from now on", e.toString());
            return false;
        }
    }
}
