package io.tributary.coord;

import io.tributary.coord.SessionTracker.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Snapshots of the whole coordination state, so a restart replays only the log written since.
 *
 * <p>On disk: {@code coord/snapshot.<zxid, 16 hex digits>}: {@code "TZKS" version:i32 zxid:i64
 * sessions:i32 (id:i64 timeout:i32 password:bytes)* nodes:i32 (path:str data:bytes acl
 * czxid:i64 mzxid:i64 pzxid:i64 ctime:i64 mtime:i64 version:i32 cversion:i32 aversion:i32
 * ephemeralOwner:i64)* crc32c:i32}, nodes parents-first; strings, byte arrays and ACLs encoded as in
 * {@link Txn}. Written to a {@code .tmp} file, fsynced, then renamed, so a snapshot is whole or absent.
 *
 * <p>Threading: {@link #serialize} runs on the coordinator thread (a consistent cut at its last zxid);
 * writing, loading and purging run on workers.
 */
public final class Snapshots {
    private static final Logger LOG = LoggerFactory.getLogger(Snapshots.class);
    static final String PREFIX = "snapshot.";
    private static final int MAGIC = 0x545a4b53; // "TZKS"
    private static final int VERSION = 1;

    private Snapshots() {
    }

    public static byte[] serialize(Coordinator c) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(c.lastZxid());
            out.writeInt(c.sessions().count());
            for (Session s : c.sessions().all()) {
                out.writeLong(s.id);
                out.writeInt(s.timeout);
                Txn.writeBytes(out, s.password);
            }
            ZnodeTree tree = c.tree();
            out.writeInt(tree.nodeCount());
            ArrayDeque<String> todo = new ArrayDeque<>();
            todo.add(Paths.ROOT);
            while (!todo.isEmpty()) {
                String path = todo.poll();
                DataNode n = tree.get(path);
                Txn.writeStr(out, path);
                Txn.writeBytes(out, n.data);
                Txn.writeAcl(out, n.acl);
                out.writeLong(n.czxid);
                out.writeLong(n.mzxid);
                out.writeLong(n.pzxid);
                out.writeLong(n.ctime);
                out.writeLong(n.mtime);
                out.writeInt(n.version);
                out.writeInt(n.cversion);
                out.writeInt(n.aversion);
                out.writeLong(n.ephemeralOwner);
                for (String child : n.children) {
                    todo.add(Paths.child(path, child));
                }
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.writeInt((int) crc.getValue());
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Worker: writes {@code snapshot.<zxid>} atomically. */
    public static void write(Path dir, long zxid, byte[] bytes) throws IOException {
        Path tmp = dir.resolve(PREFIX + String.format("%016x", zxid) + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(PREFIX + String.format("%016x", zxid)), StandardCopyOption.ATOMIC_MOVE);
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
        for (Path file : files(dir)) {
            byte[] all = Files.readAllBytes(file);
            if (all.length < 4) {
                continue;
            }
            CRC32C crc = new CRC32C();
            crc.update(all, 0, all.length - 4);
            if ((int) crc.getValue() != ByteBuffer.wrap(all, all.length - 4, 4).getInt()) {
                LOG.warn("snapshot {} is damaged (CRC mismatch); trying an older one", file);
                continue;
            }
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 0, all.length - 4));
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                LOG.warn("snapshot {} has an unknown format; trying an older one", file);
                continue;
            }
            long zxid = in.readLong();
            int sessions = in.readInt();
            long now = c.time().milliseconds();
            for (int i = 0; i < sessions; i++) {
                c.sessions().add(in.readLong(), in.readInt(), Txn.readBytes(in), now);
            }
            int nodes = in.readInt();
            ZnodeTree tree = c.tree();
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
                if (path.equals(Paths.ROOT)) {
                    tree.resetForRestore();
                } else {
                    tree.get(Paths.parent(path)).children.add(Paths.name(path));
                }
                tree.restore(path, n);
            }
            c.restoredTo(zxid);
            LOG.info("loaded snapshot {}: {} znodes, {} sessions, zxid 0x{}", file.getFileName(), nodes, sessions,
                    Long.toHexString(zxid));
            return zxid;
        }
        return 0;
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
