package io.tributary.client.kafka;

import io.tributary.client.testing.Target;

class ConsumerOnApacheKafkaTest extends ConsumerContract {
    @Override
    Target target() {
        return Target.apacheKafka();
    }
}
