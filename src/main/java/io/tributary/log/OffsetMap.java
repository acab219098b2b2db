package io.tributary.log;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The cleaner's dedupe map: key → latest offset, in a fixed amount of memory, after Kafka's
 * {@code SkimpyOffsetMap}. Each slot is 24 bytes: the 16-byte MD5 of the key and an 8-byte offset,
 * open addressing with linear probing. Keys themselves are never stored, so memory is bounded by
 * {@code log.cleaner.dedupe.buffer.size} no matter how large keys are; two keys with the same MD5
 * would be treated as one (probability ~2^-64 for a billion keys, the trade-off Kafka makes).
 *
 * <p>The map refuses nothing itself; the cleaner stops adding at {@link #maxDesiredSize()} entries
 * (slots × load factor, Kafka's {@code log.cleaner.io.buffer.load.factor} 0.9) and cleans only up
 * to the offset where it stopped.
 *
 * <p>Threading: confined to one cleaner thread.
 */
final class OffsetMap {
    static final int HASH_SIZE = 16;
    static final int BYTES_PER_ENTRY = HASH_SIZE + 8;
    static final double LOAD_FACTOR = 0.9;

    private final byte[] slots;
    private final int slotCount;
    private final MessageDigest digest;
    private final byte[] hash = new byte[HASH_SIZE];
    private int entries;
    private long latestOffset = -1;

    OffsetMap(int memoryBytes) {
        this.slotCount = memoryBytes / BYTES_PER_ENTRY;
        if (slotCount < 2) throw new IllegalArgumentException("dedupe buffer of " + memoryBytes + " bytes holds fewer than 2 entries");
        this.slots = new byte[slotCount * BYTES_PER_ENTRY];
        try {
            this.digest = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every JVM", e);
        }
    }

    int slots() { return slotCount; }
    int size() { return entries; }
    /** How many entries the cleaner may add before it must stop this round. */
    int maxDesiredSize() { return Math.max(1, (int) (slotCount * LOAD_FACTOR)); }
    double utilization() { return (double) entries / slotCount; }
    /** The largest offset the map covers (every key up to it is in the map), or -1. */
    long latestOffset() { return latestOffset; }
    void updateLatestOffset(long offset) { if (offset > latestOffset) latestOffset = offset; }

    void clear() {
        Arrays.fill(slots, (byte) 0);
        entries = 0;
        latestOffset = -1;
    }

    /** Maps the key to the offset (a later put for the same key wins). */
    void put(ByteBuffer key, long offset) {
        if (entries >= slotCount) throw new IllegalStateException("offset map is full");
        hashInto(key);
        int slot = firstSlot();
        while (true) {
            int pos = slot * BYTES_PER_ENTRY;
            if (isEmpty(pos)) {
                System.arraycopy(hash, 0, slots, pos, HASH_SIZE);
                putLong(pos + HASH_SIZE, offset);
                entries++;
                break;
            }
            if (sameHash(pos)) {
                putLong(pos + HASH_SIZE, offset);
                break;
            }
            slot = (slot + 1) % slotCount;
        }
        updateLatestOffset(offset);
    }

    /** The offset mapped for this key, or -1. */
    long get(ByteBuffer key) {
        hashInto(key);
        int slot = firstSlot();
        for (int probes = 0; probes < slotCount; probes++) {
            int pos = slot * BYTES_PER_ENTRY;
            if (isEmpty(pos)) return -1;
            if (sameHash(pos)) return getLong(pos + HASH_SIZE);
            slot = (slot + 1) % slotCount;
        }
        return -1;
    }

    private void hashInto(ByteBuffer key) {
        digest.update(key.duplicate());
        try {
            digest.digest(hash, 0, HASH_SIZE);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
        // An all-zero slot means "empty"; a key hashing to all zeros is nudged (astronomically rare).
        boolean zero = true;
        for (byte b : hash) zero &= b == 0;
        if (zero) hash[0] = 1;
    }

    private int firstSlot() {
        int h = ((hash[0] & 0xff) << 24) | ((hash[1] & 0xff) << 16) | ((hash[2] & 0xff) << 8) | (hash[3] & 0xff);
        return Math.floorMod(h, slotCount);
    }

    private boolean isEmpty(int pos) {
        for (int i = 0; i < HASH_SIZE; i++) if (slots[pos + i] != 0) return false;
        return true;
    }

    private boolean sameHash(int pos) {
        return Arrays.equals(slots, pos, pos + HASH_SIZE, hash, 0, HASH_SIZE);
    }

    private void putLong(int pos, long v) {
        for (int i = 7; i >= 0; i--) {
            slots[pos + i] = (byte) v;
            v >>>= 8;
        }
    }

    private long getLong(int pos) {
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (slots[pos + i] & 0xff);
        return v;
    }
}
