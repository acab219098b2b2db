package io.tributary.coord;

import io.tributary.coord.SessionTracker.Session;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Sessions: negotiated timeouts, tick-bucket expiry on a manual clock, ephemerals, reconnect. */
class SessionExpiryTest {
    final Engine e = new Engine();

    @Test
    void timeoutsAreNegotiatedWithinMinAndMax() {
        assertEquals(4000, e.c.createSession(10, new Engine.Sink()).timeout());
        assertEquals(40000, e.c.createSession(1_000_000, new Engine.Sink()).timeout());
        assertEquals(6000, e.c.createSession(6000, new Engine.Sink()).timeout());
    }

    @Test
    void aSilentSessionExpiresAtTheTickAfterItsTimeoutAndItsEphemeralsGo() {
        Engine.Sink sink = new Engine.Sink();
        Session s = e.c.createSession(6000, sink);
        Caller caller = new Caller(s.id(), List.of(), sink);
        Caller other = e.session(new Engine.Sink(), List.of());
        e.create(caller, "/e1", "", Op.EPHEMERAL);
        e.create(caller, "/e2", "", Op.EPHEMERAL_SEQUENTIAL);
        e.create(caller, "/keep", "", Op.PERSISTENT);
        Engine.Sink watcher = (Engine.Sink) other.sink();
        e.expect(Codes.OK, other, new Op.Exists("/e1", true));

        e.time.advance(4000);
        e.c.tick();
        assertEquals(List.of(), sink.closed);
        e.c.touch(s.id()); // traffic pushes expiry out
        e.time.advance(5000);
        e.c.tick();
        assertEquals(List.of(), sink.closed, "touched 5 s ago, timeout 6 s");
        e.time.advance(3000);
        e.c.tick();
        assertEquals(1, sink.closed.size(), "expired and told");
        e.expect(Codes.NONODE, other, new Op.Exists("/e1", false));
        e.expect(Codes.NONODE, other, new Op.Exists("/e20000000001", false));
        e.stat(other, "/keep");
        assertEquals(List.of("NodeDeleted /e1"), watcher.take());
        assertNull(e.c.reconnect(s.id(), s.password(), new Engine.Sink()), "an expired session cannot come back");
    }

    @Test
    void closeSessionDeletesEphemeralsAtOnce() {
        Caller c = e.session();
        e.create(c, "/e", "", Op.EPHEMERAL);
        e.expect(Codes.OK, c, new Op.CloseSession());
        Caller other = e.session();
        e.expect(Codes.NONODE, other, new Op.Exists("/e", false));
    }

    @Test
    void reconnectWithinTheTimeoutKeepsEphemeralsAndNeedsThePassword() {
        Engine.Sink first = new Engine.Sink();
        Session s = e.c.createSession(6000, first);
        e.create(new Caller(s.id(), List.of(), first), "/mine", "", Op.EPHEMERAL);
        e.c.disconnected(s.id(), first);
        e.time.advance(3000);
        assertNull(e.c.reconnect(s.id(), new byte[16], new Engine.Sink()), "wrong password");
        Engine.Sink second = new Engine.Sink();
        assertNotNull(e.c.reconnect(s.id(), s.password(), second));
        e.time.advance(4000);
        e.c.tick();
        assertEquals(List.of(), second.closed, "reconnect touched the session");
        e.stat(e.session(), "/mine");
    }

    @Test
    void aReconnectElsewhereClosesTheOldConnection() {
        Engine.Sink first = new Engine.Sink();
        Session s = e.c.createSession(6000, first);
        e.c.reconnect(s.id(), s.password(), new Engine.Sink());
        assertEquals(1, first.closed.size());
    }
}
