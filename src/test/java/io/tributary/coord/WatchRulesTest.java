package io.tributary.coord;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** ZooKeeper's trigger rules, one-shot behaviour, persistent and recursive watches, SetWatches. */
class WatchRulesTest {
    final Engine e = new Engine();
    final Engine.Sink watcherSink = new Engine.Sink();
    final Caller w = e.session(watcherSink, List.of());
    final Caller writer = e.session();

    @Test
    void setDataFiresTheDataWatchOnce() {
        e.create(writer, "/a", "0", Op.PERSISTENT);
        e.expect(Codes.OK, w, new Op.GetData("/a", true));
        e.expect(Codes.OK, writer, new Op.SetData("/a", "1".getBytes(), -1));
        e.expect(Codes.OK, writer, new Op.SetData("/a", "2".getBytes(), -1));
        assertEquals(List.of("NodeDataChanged /a"), watcherSink.take(), "one-shot: the second change is not reported");
    }

    @Test
    void createFiresExistsWatchOnTheNodeAndChildWatchOnTheParent() {
        e.create(writer, "/p", "", Op.PERSISTENT);
        e.expect(Codes.NONODE, w, new Op.Exists("/p/c", true));
        e.expect(Codes.OK, w, new Op.GetChildren("/p", true));
        e.create(writer, "/p/c", "", Op.PERSISTENT);
        assertEquals(List.of("NodeCreated /p/c", "NodeChildrenChanged /p"), watcherSink.take());
    }

    @Test
    void deleteFiresDataAndChildWatchesOnTheNodeOnceAndTheParentsChildWatch() {
        e.create(writer, "/p", "", Op.PERSISTENT);
        e.create(writer, "/p/c", "", Op.PERSISTENT);
        e.expect(Codes.OK, w, new Op.GetData("/p/c", true));
        e.expect(Codes.OK, w, new Op.GetChildren("/p/c", true));
        e.expect(Codes.OK, w, new Op.GetChildren("/p", true));
        e.expect(Codes.OK, writer, new Op.Delete("/p/c", -1));
        assertEquals(List.of("NodeDeleted /p/c", "NodeChildrenChanged /p"), watcherSink.take());
        e.create(writer, "/p/c", "", Op.PERSISTENT);
        assertEquals(List.of(), watcherSink.take(), "all three watches were one-shot");
    }

    @Test
    void setDataDoesNotFireChildWatchesAndChildChangesDoNotFireDataWatches() {
        e.create(writer, "/p", "", Op.PERSISTENT);
        e.expect(Codes.OK, w, new Op.GetChildren("/p", true));
        e.expect(Codes.OK, writer, new Op.SetData("/p", "x".getBytes(), -1));
        assertEquals(List.of(), watcherSink.take());
        e.expect(Codes.OK, w, new Op.GetData("/p", true));
        e.create(writer, "/p/c", "", Op.PERSISTENT);
        assertEquals(List.of("NodeChildrenChanged /p"), watcherSink.take());
    }

    @Test
    void persistentWatchFiresEveryTimeForTheNodeAndItsChildrenList() {
        e.create(writer, "/p", "", Op.PERSISTENT);
        e.expect(Codes.OK, w, new Op.AddWatch("/p", false));
        e.expect(Codes.OK, writer, new Op.SetData("/p", "1".getBytes(), -1));
        e.expect(Codes.OK, writer, new Op.SetData("/p", "2".getBytes(), -1));
        e.create(writer, "/p/c", "", Op.PERSISTENT);
        e.expect(Codes.OK, writer, new Op.SetData("/p/c", "x".getBytes(), -1));
        assertEquals(List.of("NodeDataChanged /p", "NodeDataChanged /p", "NodeChildrenChanged /p"), watcherSink.take());
        e.expect(Codes.OK, w, new Op.RemoveWatches("/p", WatchRegistry.TYPE_ANY, false));
        e.expect(Codes.OK, writer, new Op.SetData("/p", "3".getBytes(), -1));
        assertEquals(List.of(), watcherSink.take());
        e.expect(Codes.NOWATCHER, w, new Op.RemoveWatches("/p", WatchRegistry.TYPE_ANY, false));
    }

    @Test
    void recursiveWatchSeesDescendantDataEventsButNotChildrenChanged() {
        e.create(writer, "/r", "", Op.PERSISTENT);
        e.expect(Codes.OK, w, new Op.AddWatch("/r", true));
        e.create(writer, "/r/a", "", Op.PERSISTENT);
        e.create(writer, "/r/a/b", "", Op.PERSISTENT);
        e.expect(Codes.OK, writer, new Op.SetData("/r/a/b", "x".getBytes(), -1));
        e.expect(Codes.OK, writer, new Op.Delete("/r/a/b", -1));
        e.create(writer, "/other", "", Op.PERSISTENT);
        assertEquals(List.of("NodeCreated /r/a", "NodeCreated /r/a/b", "NodeDataChanged /r/a/b", "NodeDeleted /r/a/b"),
                watcherSink.take());
    }

    @Test
    void aOneShotAndAPersistentWatchOnOnePathGiveOneEventAndThePersistentOneStays() {
        e.create(writer, "/p", "", Op.PERSISTENT);
        e.expect(Codes.OK, w, new Op.AddWatch("/p", false));
        e.expect(Codes.OK, w, new Op.GetData("/p", true));
        e.expect(Codes.OK, writer, new Op.SetData("/p", "1".getBytes(), -1));
        e.expect(Codes.OK, writer, new Op.SetData("/p", "2".getBytes(), -1));
        assertEquals(List.of("NodeDataChanged /p", "NodeDataChanged /p"), watcherSink.take());
    }

    @Test
    void checkAndRemoveWatchesAnswerNoWatcherWhenThereIsNone() {
        e.create(writer, "/p", "", Op.PERSISTENT);
        e.expect(Codes.NOWATCHER, w, new Op.RemoveWatches("/p", WatchRegistry.TYPE_DATA, true));
        e.expect(Codes.OK, w, new Op.GetData("/p", true));
        e.expect(Codes.OK, w, new Op.RemoveWatches("/p", WatchRegistry.TYPE_DATA, true));
        e.expect(Codes.NOWATCHER, w, new Op.RemoveWatches("/p", WatchRegistry.TYPE_CHILDREN, false));
        e.expect(Codes.OK, w, new Op.RemoveWatches("/p", WatchRegistry.TYPE_DATA, false));
        e.expect(Codes.OK, writer, new Op.SetData("/p", "1".getBytes(), -1));
        assertEquals(List.of(), watcherSink.take());
    }

    @Test
    void aClosedConnectionLosesItsWatchesAndSetWatchesRestoresThemWithMissedEvents() {
        e.create(writer, "/same", "", Op.PERSISTENT);
        e.create(writer, "/changed", "", Op.PERSISTENT);
        e.create(writer, "/gone", "", Op.PERSISTENT);
        e.create(writer, "/kids", "", Op.PERSISTENT);
        e.expect(Codes.OK, w, new Op.GetData("/same", true));
        long seen = e.c.lastZxid();
        e.c.disconnected(w.sessionId(), watcherSink);
        e.expect(Codes.OK, writer, new Op.SetData("/changed", "x".getBytes(), -1));
        e.expect(Codes.OK, writer, new Op.Delete("/gone", -1));
        e.create(writer, "/born", "", Op.PERSISTENT);
        e.create(writer, "/kids/k", "", Op.PERSISTENT);
        assertEquals(List.of(), watcherSink.take(), "no events while disconnected");

        Engine.Sink again = new Engine.Sink();
        Caller back = new Caller(w.sessionId(), w.ids(), again);
        e.expect(Codes.OK, back, new Op.SetWatches(seen, List.of("/same", "/changed", "/gone"), List.of("/born", "/unborn"),
                List.of("/kids"), List.of(), List.of()));
        assertEquals(List.of("NodeDataChanged /changed", "NodeDeleted /gone", "NodeCreated /born", "NodeChildrenChanged /kids"),
                again.take(), "missed events are delivered at once");
        e.expect(Codes.OK, writer, new Op.SetData("/same", "y".getBytes(), -1));
        e.create(writer, "/unborn", "", Op.PERSISTENT);
        assertEquals(List.of("NodeDataChanged /same", "NodeCreated /unborn"), again.take(), "the others are re-armed");
    }
}
