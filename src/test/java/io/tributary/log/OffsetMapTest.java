package io.tributary.log;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class OffsetMapTest {
    private static ByteBuffer key(String s) { return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)); }

    @Test
    void laterPutForTheSameKeyWinsAndUnknownKeysAreMinusOne() {
        OffsetMap m = new OffsetMap(1000 * OffsetMap.BYTES_PER_ENTRY);
        for (int i = 0; i < 500; i++) m.put(key("k" + (i % 100)), i);
        assertEquals(100, m.size());
        for (int k = 0; k < 100; k++) assertEquals(400 + k, m.get(key("k" + k)));
        assertEquals(-1, m.get(key("absent")));
        assertEquals(499, m.latestOffset());
        m.clear();
        assertEquals(0, m.size());
        assertEquals(-1, m.get(key("k1")));
        assertEquals(-1, m.latestOffset());
    }

    @Test
    void memoryIsFixedBySlotsAndTheCleanerStopsAtTheLoadFactor() {
        OffsetMap m = new OffsetMap(100 * OffsetMap.BYTES_PER_ENTRY + 5);
        assertEquals(100, m.slots());
        assertEquals(90, m.maxDesiredSize());
        for (int i = 0; i < 100; i++) m.put(key("k" + i), i); // probing fills every slot
        for (int i = 0; i < 100; i++) assertEquals(i, m.get(key("k" + i)));
        assertThrows(IllegalStateException.class, () -> m.put(key("one-too-many"), 100));
    }

    @Test
    void theKeyBufferPositionIsNotConsumed() {
        OffsetMap m = new OffsetMap(10 * OffsetMap.BYTES_PER_ENTRY);
        ByteBuffer k = key("abc");
        m.put(k, 7);
        assertEquals(3, k.remaining());
        assertEquals(7, m.get(k));
    }
}
