package io.tributary.client.kafka;

import io.tributary.client.testing.Target;

class GroupOnTributaryTest extends GroupContract {
    @Override
    Target target() {
        return Target.tributary();
    }
}
