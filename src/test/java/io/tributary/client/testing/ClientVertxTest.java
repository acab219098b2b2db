package io.tributary.client.testing;

import io.tributary.testing.Poll;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The strict checker the client tests rely on does catch a blocked event loop. */
class ClientVertxTest {
    @Test
    void aBlockedEventLoopIsRecordedAndFailsTheClose() {
        Vertx vertx = ClientVertx.create();
        // Deliberately block one event-loop task (this is the fault being detected, not synchronization).
        vertx.runOnContext(v -> {
            long until = System.nanoTime() + 4 * ClientVertx.MAX_EXECUTE_MS * 1_000_000L;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        });
        Poll.until(Duration.ofSeconds(10), "the checker to record the blocked loop",
                () -> !ClientVertx.blocked(vertx).isEmpty());
        assertTrue(ClientVertx.blocked(vertx).get(0).contains("ClientVertxTest"), "the record names the blocking code");
        assertThrows(AssertionError.class, () -> ClientVertx.close(vertx));
    }
}
