package io.tributary.client.kafka;

import io.tributary.client.testing.Target;

class GroupChurnOnTributaryTest extends GroupChurnContract {
    @Override
    Target target() {
        return Target.tributary();
    }
}
