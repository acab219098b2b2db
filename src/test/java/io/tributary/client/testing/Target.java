package io.tributary.client.testing;

import io.tributary.testing.TestNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/**
 * Where a client contract test runs: an in-process Tributary node, or a real Apache Kafka broker. Each contract
 * class has one subclass per target, so the same tests prove the client against both.
 */
public interface Target extends AutoCloseable {
    String bootstrap();

    String name();

    @Override
    void close();

    static Target tributary() {
        try {
            // As the Apache Kafka target is configured: a group's first rebalance does not wait 3 s for more members.
            TestNode node = TestNode.start(Files.createTempDirectory("client-tributary"),
                    Map.of("group.initial.rebalance.delay.ms", "0"));
            return new Target() {
                public String bootstrap() {
                    return node.bootstrap();
                }

                public String name() {
                    return "tributary";
                }

                public void close() {
                    node.close();
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The shared Apache Kafka broker of this JVM; closing the target leaves it running for the next class. */
    static Target apacheKafka() {
        ApacheKafka k = ApacheKafka.get();
        return new Target() {
            public String bootstrap() {
                return k.bootstrap();
            }

            public String name() {
                return "apache-kafka";
            }

            public void close() {
            }
        };
    }
}
