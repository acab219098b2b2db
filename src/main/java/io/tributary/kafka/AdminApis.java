package io.tributary.kafka;

/** Registers the administrative APIs (topics, partitions, configs, cluster). */
final class AdminApis {
    private AdminApis() {
    }

    static void register(SupportedApis apis, KafkaBroker broker) {
    }
}
