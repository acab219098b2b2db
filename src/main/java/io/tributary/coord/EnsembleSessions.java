package io.tributary.coord;

import io.tributary.coord.SessionTracker.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Session liveness in an ensemble: who may expire a session and from what evidence.
 *
 * <ul>
 *   <li>Only the leader expires sessions (an {@link Command.Kind#EXPIRE} entry carrying the term it was decided
 *   in, so an expiry decided by a deposed leader is ignored on apply) and sweeps containers and TTL nodes.</li>
 *   <li>A follower relays the liveness its clients show ({@link #touch}) to the leader every tick; relays lost in
 *   an election are sent again at the next tick.</li>
 *   <li>A new leader first renews every session ({@link #takeOver}), as ZooKeeper's new leader does: until then
 *   its expiry buckets hold a follower's stale view and would expire live sessions.</li>
 * </ul>
 *
 * <p>Threading: every method runs on the coordinator context.
 */
final class EnsembleSessions {
    private static final Logger LOG = LoggerFactory.getLogger(EnsembleSessions.class);

    private final Coordinator c;
    private final Replication log;
    private final Executor onContext;
    private final BiConsumer<byte[], Consumer<Throwable>> submit;
    /** Sessions touched here since the last relay to the leader. */
    private final Set<Long> touched = new HashSet<>();
    /** Set when this node took over as leader and renewed the sessions. */
    private boolean leading;

    EnsembleSessions(Coordinator c, Replication log, Executor onContext, BiConsumer<byte[], Consumer<Throwable>> submit) {
        this.c = c;
        this.log = log;
        this.onContext = onContext;
        this.submit = submit;
    }

    /** Client liveness seen here: the local table, and the leader at the next relay. */
    boolean touch(long sessionId) {
        touched.add(sessionId);
        noteOwner(sessionId, log.nodeId(), c.time().milliseconds());
        return c.touch(sessionId);
    }

    /** Liveness another node relayed to this one (the leader). */
    void touchedAt(int node, long[] sessionIds) {
        long now = c.time().milliseconds();
        for (long id : sessionIds) {
            c.touch(id);
            noteOwner(id, node, now);
        }
    }

    private void noteOwner(long id, int node, long now) {
        Session s = c.sessions().get(id);
        if (s != null) {
            s.ownerNode = node;
            s.lastTouch = now;
        }
    }

    /** Periodic (every half tick): the leader expires sessions and sweeps; the others relay liveness. */
    void tick() {
        long now = c.time().milliseconds();
        Replication.Role role = log.role();
        if (role == Replication.Role.LEADER && !leading) {
            takeOver(now); // the log's notification may still be on its way; the next tick may expire
            return;
        } else if (role != Replication.Role.LEADER) {
            leading = false;
        }
        if (role == Replication.Role.LEADER) {
            expireAndSweep(now);
        } else if (!touched.isEmpty() && role == Replication.Role.FOLLOWER) {
            relay();
        }
    }

    private void expireAndSweep(long now) {
        touched.clear();
        for (Session due : c.sessions().expired(now)) {
            long id = due.id();
            LOG.info("session 0x{} expired", Long.toHexString(id));
            submit.accept(Command.expire(now, id, log.term()).encode(), e -> {
            });
        }
        if (c.sweepIsDue(now)) {
            Caller sweeper = new Caller(0, List.of(Caller.SUPER), null);
            for (Op.Delete d : ContainerSweep.due(c.tree(), now)) {
                submit.accept(Command.write(0, 0, now, sweeper, d).encode(), e -> {
                });
            }
        }
    }

    private void relay() {
        long[] ids = touched.stream().mapToLong(Long::longValue).toArray();
        touched.clear();
        // Liveness that did not reach the leader (it died, an election is on) is sent again at the next tick:
        // a client that pings only every timeout/3 cannot afford to lose one relay per election.
        log.relayTouches(ids).whenComplete((v, e) -> {
            if (e != null) {
                onContext.execute(() -> {
                    for (long id : ids) {
                        if (c.sessions().get(id) != null) {
                            touched.add(id);
                        }
                    }
                });
            }
        });
    }

    /** The log says this node's role changed. */
    void roleChanged(boolean leader) {
        if (leader && !leading) {
            takeOver(c.time().milliseconds());
        } else if (!leader) {
            leading = false;
        }
    }

    /** This node now leads: every session gets a full timeout from now, as with ZooKeeper's new leader. */
    private void takeOver(long now) {
        leading = true;
        LOG.info("leading the ensemble: every session gets a full timeout from now");
        c.sessions().renewAll(now);
    }
}
