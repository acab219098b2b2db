package io.tributary.cluster;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A linearizability checker for a compare-and-set register (a znode's data and version), by Wing and Gong's
 * search with Lowe's memoization (as in Knossos/Porcupine): walk the history's call and return events in time
 * order, try to linearize each pending call at the current point (if the model allows its observed result),
 * backtrack when an operation returns before it could be linearized, and never revisit a (set of linearized
 * operations, register state) pair.
 *
 * <p>An operation whose outcome the client does not know (the connection was lost) has no return event: it
 * may have taken effect at any point after its call, or never.
 */
public final class Linearizability {
    private Linearizability() {
    }

    /** The register: data and the znode's version. */
    public record State(int version, String value) {
    }

    /** What a client did and saw. {@code end} is {@link Long#MAX_VALUE} for an unknown outcome. */
    public record Op(int client, long start, long end, Kind kind, int expectedVersion, String value, int readVersion,
                     boolean ok) {
        /** A read (after sync) that saw {@code value} at {@code version}. */
        public static Op read(int client, long start, long end, int version, String value) {
            return new Op(client, start, end, Kind.READ, 0, value, version, true);
        }

        /** setData(value, expectedVersion): {@code ok} true = succeeded, false = BADVERSION. */
        public static Op cas(int client, long start, long end, int expectedVersion, String value, boolean ok) {
            return new Op(client, start, end, Kind.CAS, expectedVersion, value, 0, ok);
        }

        /** setData whose result never arrived. */
        public static Op unknownCas(int client, long start, int expectedVersion, String value) {
            return new Op(client, start, Long.MAX_VALUE, Kind.CAS, expectedVersion, value, 0, false);
        }

        boolean unknown() {
            return end == Long.MAX_VALUE;
        }
    }

    public enum Kind { READ, CAS }

    /** Next states the model allows for {@code op} from {@code s} with its observed result (none: impossible). */
    static List<State> step(State s, Op op) {
        List<State> out = new ArrayList<>(2);
        switch (op.kind()) {
            case READ -> {
                if (s.version() == op.readVersion() && Objects.equals(s.value(), op.value())) {
                    out.add(s);
                }
            }
            case CAS -> {
                boolean matches = s.version() == op.expectedVersion();
                if (op.unknown()) {
                    if (matches) {
                        out.add(new State(s.version() + 1, op.value()));
                    }
                    out.add(s); // or it never happened
                } else if (op.ok() && matches) {
                    out.add(new State(s.version() + 1, op.value()));
                } else if (!op.ok() && !matches) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    private static final class Event {
        final int op;
        final boolean call;
        final long time;
        Event prev;
        Event next;
        Event match; // a call's return event (null for an unknown outcome)

        Event(int op, boolean call, long time) {
            this.op = op;
            this.call = call;
            this.time = time;
        }
    }

    private record Frame(Event call, State state, int alternative) {
    }

    private record Seen(BitSet linearized, State state) {
    }

    /** True when some order of the operations, each at a point between its call and return, fits the model. */
    public static boolean check(List<Op> history, State initial) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            Op op = history.get(i);
            Event call = new Event(i, true, op.start());
            events.add(call);
            if (!op.unknown()) {
                Event ret = new Event(i, false, op.end());
                call.match = ret;
                events.add(ret);
            }
        }
        // Calls before returns at the same instant: overlapping at a point counts as concurrent.
        events.sort((a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Boolean.compare(!a.call, !b.call));
        Event head = new Event(-1, false, Long.MIN_VALUE);
        Event last = head;
        for (Event e : events) {
            last.next = e;
            e.prev = last;
            last = e;
        }
        Set<Seen> cache = new HashSet<>();
        BitSet linearized = new BitSet(history.size());
        List<Frame> stack = new ArrayList<>();
        State state = initial;
        Event entry = head.next;
        int startAlternative = 0;
        while (head.next != null) {
            if (entry == null) {
                // Only unknown-outcome calls are left and none can be placed here: backtrack.
                if (stack.isEmpty()) {
                    return false;
                }
                Frame f = stack.remove(stack.size() - 1);
                linearized.clear(f.call().op);
                unlift(f.call());
                state = f.state();
                entry = f.call();
                startAlternative = f.alternative() + 1;
                continue;
            }
            if (entry.call) {
                List<State> next = step(state, history.get(entry.op));
                boolean placed = false;
                for (int a = startAlternative; a < next.size(); a++) {
                    BitSet with = (BitSet) linearized.clone();
                    with.set(entry.op);
                    if (cache.add(new Seen(with, next.get(a)))) {
                        stack.add(new Frame(entry, state, a));
                        linearized.set(entry.op);
                        state = next.get(a);
                        lift(entry);
                        entry = head.next;
                        placed = true;
                        break;
                    }
                }
                startAlternative = 0;
                if (!placed) {
                    entry = entry.next;
                }
            } else {
                // This operation returned and was never linearized before it: undo the last choice.
                if (stack.isEmpty()) {
                    return false;
                }
                Frame f = stack.remove(stack.size() - 1);
                linearized.clear(f.call().op);
                unlift(f.call());
                state = f.state();
                entry = f.call();
                startAlternative = f.alternative() + 1;
            }
        }
        return true;
    }

    private static void lift(Event call) {
        call.prev.next = call.next;
        if (call.next != null) {
            call.next.prev = call.prev;
        }
        Event ret = call.match;
        if (ret != null) {
            ret.prev.next = ret.next;
            if (ret.next != null) {
                ret.next.prev = ret.prev;
            }
        }
    }

    private static void unlift(Event call) {
        Event ret = call.match;
        if (ret != null) {
            ret.prev.next = ret;
            if (ret.next != null) {
                ret.next.prev = ret;
            }
        }
        call.prev.next = call;
        if (call.next != null) {
            call.next.prev = call;
        }
    }
}
