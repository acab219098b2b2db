package io.tributary.client.kafka;

import io.tributary.client.testing.Target;

class ProducerOnApacheKafkaTest extends ProducerContract {
    @Override
    Target target() {
        return Target.apacheKafka();
    }
}
