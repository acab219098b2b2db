package io.tributary.client.kafka;

import io.tributary.client.testing.Target;

class ConsumerOnTributaryTest extends ConsumerContract {
    @Override
    Target target() {
        return Target.tributary();
    }
}
