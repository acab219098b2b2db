package io.tributary.client.kafka;

import io.tributary.client.testing.ApacheKafka;
import io.tributary.client.testing.Target;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;

/**
 * Every client contract against a real Apache Kafka 4.x broker (KRaft, from the Maven jars). One broker serves all of
 * them and is stopped once they are done, so it does not idle through the rest of the suite.
 */
class OnApacheKafkaTest {
    @AfterAll
    static void stopBroker() {
        ApacheKafka.stopShared();
    }

    @Nested
    class Producer extends ProducerContract {
        @Override
        Target target() {
            return Target.apacheKafka();
        }
    }

    @Nested
    class Consumer extends ConsumerContract {
        @Override
        Target target() {
            return Target.apacheKafka();
        }
    }

    @Nested
    class Group extends GroupContract {
        @Override
        Target target() {
            return Target.apacheKafka();
        }
    }

    @Nested
    class GroupChurn extends GroupChurnContract {
        @Override
        Target target() {
            return Target.apacheKafka();
        }
    }

    @Nested
    class Threads extends ClientThreads {
        @Override
        Target target() {
            return Target.apacheKafka();
        }
    }
}
