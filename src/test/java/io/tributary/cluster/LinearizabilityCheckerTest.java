package io.tributary.cluster;

import io.tributary.cluster.Linearizability.Op;
import io.tributary.cluster.Linearizability.State;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checker itself: it accepts linearizable CAS-register histories and rejects ones that are not. */
class LinearizabilityCheckerTest {
    static final State INIT = new State(0, "init");

    @Test
    void acceptsSequentialHistory() {
        assertTrue(Linearizability.check(List.of(
                Op.read(1, 0, 1, 0, "init"),
                Op.cas(1, 2, 3, 0, "a", true),
                Op.read(2, 4, 5, 1, "a"),
                Op.cas(2, 6, 7, 0, "b", false)), INIT));
    }

    @Test
    void acceptsConcurrentOperationsInEitherOrder() {
        // Two overlapping CAS from version 0: exactly one may win; a read overlapping both may see either.
        assertTrue(Linearizability.check(List.of(
                Op.cas(1, 0, 10, 0, "a", false),
                Op.cas(2, 1, 9, 0, "b", true),
                Op.read(3, 2, 8, 0, "init"),
                Op.read(3, 11, 12, 1, "b")), INIT));
    }

    @Test
    void rejectsAStaleReadAfterAnAcknowledgedWrite() {
        // The write completed before the read started, yet the read saw the old value: not linearizable.
        assertFalse(Linearizability.check(List.of(
                Op.cas(1, 0, 1, 0, "a", true),
                Op.read(2, 2, 3, 0, "init")), INIT));
    }

    @Test
    void rejectsTwoWinnersOfTheSameVersion() {
        assertFalse(Linearizability.check(List.of(
                Op.cas(1, 0, 5, 0, "a", true),
                Op.cas(2, 0, 5, 0, "b", true),
                Op.read(3, 6, 7, 1, "a")), INIT));
    }

    @Test
    void rejectsAReadOfAValueNobodyWrote() {
        assertFalse(Linearizability.check(List.of(
                Op.cas(1, 0, 5, 0, "a", true),
                Op.read(2, 6, 7, 1, "phantom")), INIT));
    }

    @Test
    void anUnknownWriteMayHaveHappenedOrNot() {
        assertTrue(Linearizability.check(List.of(
                Op.unknownCas(1, 0, 0, "a"),
                Op.read(2, 5, 6, 1, "a")), INIT));
        assertTrue(Linearizability.check(List.of(
                Op.unknownCas(1, 0, 0, "a"),
                Op.read(2, 5, 6, 0, "init")), INIT));
        // ... but not both: once seen, it cannot be undone.
        assertFalse(Linearizability.check(List.of(
                Op.unknownCas(1, 0, 0, "a"),
                Op.read(2, 5, 6, 1, "a"),
                Op.read(2, 7, 8, 0, "init")), INIT));
        // ... and not before it was called.
        assertFalse(Linearizability.check(List.of(
                Op.read(2, 0, 1, 1, "a"),
                Op.unknownCas(1, 5, 0, "a")), INIT));
    }

    @Test
    void handlesALongGeneratedLinearizableHistory() {
        // A real register driven by overlapping clients: each op takes effect at a random point inside its window.
        Random random = new Random(42);
        List<Op> ops = new ArrayList<>();
        State s = INIT;
        long t = 0;
        for (int i = 0; i < 600; i++) {
            int client = i % 3;
            long start = t;
            long effect = start + 1 + random.nextInt(3);
            long end = effect + 1 + random.nextInt(3);
            t += 2; // windows of consecutive operations overlap
            if (random.nextBoolean()) {
                ops.add(Op.read(client, start, end, s.version(), s.value()));
            } else {
                int expected = random.nextInt(4) == 0 ? s.version() - 1 : s.version();
                boolean ok = expected == s.version();
                String v = "v" + i;
                ops.add(Op.cas(client, start, end, expected, v, ok));
                if (ok) {
                    s = new State(s.version() + 1, v);
                }
            }
            // Effects are applied in op order here; keep windows ordered by effect so the history is valid.
            t = Math.max(t, effect);
        }
        assertTrue(Linearizability.check(ops, INIT));
    }
}
