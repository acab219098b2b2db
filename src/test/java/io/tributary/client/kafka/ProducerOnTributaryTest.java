package io.tributary.client.kafka;

import io.tributary.client.testing.Target;

class ProducerOnTributaryTest extends ProducerContract {
    @Override
    Target target() {
        return Target.tributary();
    }
}
