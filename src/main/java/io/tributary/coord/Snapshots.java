package io.tributary.coord;

import io.tributary.coord.SessionTracker.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.apache.zookeeper.data.ACL;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.FileOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.HashMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * Snapshots of the whole coordination state, so a restart replays only the log written since.
 *
 * <p>On disk: {@code coord/snapshot.<zxid, 16 hex digits>}: {@code "TZKS" version:i32 zxid:i64
 * sessions:i32 (id:i64 timeout:i32 password:bytes)* nodes:i32 (path:str data:bytes acl
 * czxid:i64 mzxid:i64 pzxid:i64 ctime:i64 mtime:i64 version:i32 cversion:i32 aversion:i32
 * ephemeralOwner:i64)* crc32c:i32}, nodes in no particular order (children are linked at load);
 * strings, byte arrays and ACLs encoded as in {@link Txn}; the CRC covers everything before it.
 * Written to a {@code .tmp} file, fsynced, then renamed, so a snapshot is whole or absent.
 *
 * <p>Threading: {@link #capture} runs on the coordinator thread (a consistent cut at its last zxid,
 * a shallow copy); writing, loading and purging run on workers.
 */
public final class Snapshots {
    private static final Logger LOG = LoggerFactory.getLogger(Snapshots.class);
    static final String PREFIX = "snapshot.";
    private static final int MAGIC = 0x545a4b53; // "TZKS"
    private static final int VERSION = 1;

    private Snapshots() {
    }

    /** One znode as captured: immutable values (data arrays and ACL lists are never mutated in place). */
    public record NodeImage(String path, byte[] data, List<ACL> acl, long czxid, long mzxid, long pzxid, long ctime,
                             long mtime, int version, int cversion, int aversion, long ephemeralOwner) {
    }

    /** {@code ownerNode} and {@code lastTouch}: what this node (the leader) knows of liveness; never persisted. */
    public record SessionImage(long id, int timeout, byte[] password, int ownerNode, long lastTouch) {
    }

    /** A consistent cut of the state at {@code zxid}, cheap to take, serialized later on a worker. */
    public record Image(long zxid, List<SessionImage> sessions, List<NodeImage> nodes) {
    }

    /**
     * Coordinator thread: copies the stat and references of every node (no serialization here, so the
     * engine pauses for a shallow copy, not for encoding the whole tree).
     */
    /**
     * What changed since the last delta (an ensemble's views): the current image of each changed znode (null
     * value: deleted) with its number of children, or {@code nodes == null} when that is not known and a whole
     * {@link #capture} is needed; and every session with its ephemeral count (few, so always whole).
     */
    public record Delta(long zxid, Map<String, NodeImage> nodes, Map<String, Integer> children,
                        List<SessionImage> sessions, Map<Long, Integer> ephemerals) {
    }

    /** Coordinator context: the {@link Delta} since the last call; {@code wanted == false} only forgets it. */
    public static Delta delta(Coordinator c, boolean wanted) {
        Set<String> paths = c.tree().drainChanged();
        if (!wanted) {
            return null;
        }
        Map<String, NodeImage> nodes = null;
        Map<String, Integer> children = null;
        if (paths != null) {
            nodes = new HashMap<>(paths.size() * 2);
            children = new HashMap<>(paths.size() * 2);
            for (String path : paths) {
                DataNode n = c.tree().get(path);
                nodes.put(path, n == null ? null : new NodeImage(path, n.data, n.acl, n.czxid, n.mzxid, n.pzxid,
                        n.ctime, n.mtime, n.version, n.cversion, n.aversion, n.ephemeralOwner));
                if (n != null) {
                    children.put(path, n.children.size());
                }
            }
        }
        List<SessionImage> sessions = new ArrayList<>(c.sessions().count());
        Map<Long, Integer> ephemerals = new HashMap<>();
        for (Session s : c.sessions().all()) {
            sessions.add(new SessionImage(s.id, s.timeout, s.password, s.ownerNode, s.lastTouch));
            ephemerals.put(s.id, c.tree().ephemeralCountOf(s.id));
        }
        return new Delta(c.lastZxid(), nodes, children, sessions, ephemerals);
    }

    public static Image capture(Coordinator c) {
        List<SessionImage> sessions = new ArrayList<>(c.sessions().count());
        for (Session s : c.sessions().all()) {
            sessions.add(new SessionImage(s.id, s.timeout, s.password, s.ownerNode, s.lastTouch));
        }
        List<NodeImage> nodes = new ArrayList<>(c.tree().nodeCount());
        c.tree().store().forEach((path, n) -> nodes.add(new NodeImage(path, n.data, n.acl, n.czxid, n.mzxid, n.pzxid,
                n.ctime, n.mtime, n.version, n.cversion, n.aversion, n.ephemeralOwner)));
        return new Image(c.lastZxid(), sessions, nodes);
    }

    /** Worker: writes {@code snapshot.<zxid>} atomically (tmp, fsync, rename, fsync the directory). */
    public static void write(Path dir, Image image) throws IOException {
        writeTo(dir.resolve(PREFIX + String.format("%016x", image.zxid())), image);
    }

    /** Worker: writes the image to {@code target} atomically (cluster mode: a file the Ratis storage names). */
    public static void writeTo(Path target, Image image) throws IOException {
        Path dir = target.getParent();
        String name = target.getFileName().toString();
        // A unique temporary name: a periodic snapshot may still be writing when a clean stop writes its own.
        Path tmp = dir.resolve(name + "." + System.nanoTime() + ".tmp");
        CRC32C crc = new CRC32C();
        try (FileOutputStream file = new FileOutputStream(tmp.toFile())) {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new CheckedOutputStream(file, crc), 1 << 16));
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(image.zxid());
            out.writeInt(image.sessions().size());
            for (SessionImage s : image.sessions()) {
                out.writeLong(s.id());
                out.writeInt(s.timeout());
                Txn.writeBytes(out, s.password());
            }
            out.writeInt(image.nodes().size());
            for (NodeImage n : image.nodes()) {
                Txn.writeStr(out, n.path());
                Txn.writeBytes(out, n.data());
                Txn.writeAcl(out, n.acl());
                out.writeLong(n.czxid());
                out.writeLong(n.mzxid());
                out.writeLong(n.pzxid());
                out.writeLong(n.ctime());
                out.writeLong(n.mtime());
                out.writeInt(n.version());
                out.writeInt(n.cversion());
                out.writeInt(n.aversion());
                out.writeLong(n.ephemeralOwner());
            }
            out.flush();
            file.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
            file.getFD().sync();
        }
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        TxnLog.fsyncDir(dir);
    }

    static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> l = new ArrayList<>(s.filter(p -> p.getFileName().toString().startsWith(PREFIX)
                    && !p.toString().endsWith(".tmp")).sorted().toList());
            Collections.reverse(l);
            return l;
        }
    }

    /** Worker: restores the newest valid snapshot into {@code c}; returns its zxid, or 0 if none. */
    public static long loadLatest(Path dir, Coordinator c) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path tmp : s.filter(p -> p.getFileName().toString().startsWith(PREFIX) && p.toString().endsWith(".tmp")).toList()) {
                LOG.info("removing {}, a snapshot that was being written when the node stopped", tmp.getFileName());
                Files.delete(tmp);
            }
        }
        for (Path file : files(dir)) {
            long zxid = load(file, c);
            if (zxid >= 0) {
                return zxid;
            }
        }
        return 0;
    }

    /**
     * Restores one snapshot file into {@code c} (its sessions and tree replaced); returns its zxid, or -1 when
     * the file is damaged or of an unknown format (then {@code c} is unchanged).
     */
    public static long load(Path file, Coordinator c) throws IOException {
        {
            byte[] all = Files.readAllBytes(file);
            if (all.length < 4) {
                return -1;
            }
            CRC32C crc = new CRC32C();
            crc.update(all, 0, all.length - 4);
            if ((int) crc.getValue() != ByteBuffer.wrap(all, all.length - 4, 4).getInt()) {
                LOG.warn("snapshot {} is damaged (CRC mismatch); trying an older one", file);
                return -1;
            }
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 0, all.length - 4));
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                LOG.warn("snapshot {} has an unknown format; trying an older one", file);
                return -1;
            }
            long zxid = in.readLong();
            c.sessions().clear();
            int sessions = in.readInt();
            long now = c.time().milliseconds();
            for (int i = 0; i < sessions; i++) {
                c.sessions().add(in.readLong(), in.readInt(), Txn.readBytes(in), now);
            }
            int nodes = in.readInt();
            ZnodeTree tree = c.tree();
            tree.resetForRestore();
            List<String> paths = new ArrayList<>(nodes);
            for (int i = 0; i < nodes; i++) {
                String path = Txn.readStr(in);
                DataNode n = new DataNode(Txn.readBytes(in), Txn.readAcl(in), 0, 0, 0);
                n.czxid = in.readLong();
                n.mzxid = in.readLong();
                n.pzxid = in.readLong();
                n.ctime = in.readLong();
                n.mtime = in.readLong();
                n.version = in.readInt();
                n.cversion = in.readInt();
                n.aversion = in.readInt();
                n.ephemeralOwner = in.readLong();
                tree.restore(path, n);
                paths.add(path);
            }
            // Nodes are stored in no particular order: link children once every node is in.
            for (String path : paths) {
                if (!path.equals(Paths.ROOT)) {
                    tree.get(Paths.parent(path)).children.add(Paths.name(path));
                }
            }
            // Quota stats are derived state: counted again from the loaded tree, as ZooKeeper does on load.
            tree.recountQuotas();
            c.restoredTo(zxid);
            LOG.info("loaded snapshot {}: {} znodes, {} sessions, zxid 0x{}", file.getFileName(), nodes, sessions,
                    Long.toHexString(zxid));
            return zxid;
        }
    }

    /**
     * Worker: keeps the newest {@code keep} snapshots and removes logs holding only transactions
     * older than the oldest kept snapshot.
     */
    public static void purge(Path dir, int keep) throws IOException {
        List<Path> snaps = files(dir);
        if (snaps.size() <= keep) {
            return;
        }
        for (Path old : snaps.subList(keep, snaps.size())) {
            Files.deleteIfExists(old);
        }
        long oldestKept = Long.parseUnsignedLong(snaps.get(keep - 1).getFileName().toString().substring(PREFIX.length()), 16);
        List<Path> logs = TxnLog.files(dir);
        for (int i = 0; i + 1 < logs.size(); i++) {
            if (TxnLog.startZxid(logs.get(i + 1)) <= oldestKept + 1) {
                Files.deleteIfExists(logs.get(i));
            }
        }
    }
}
