package io.tributary.kafka;

import io.tributary.kafka.handlers.ApiVersionsHandler;
import io.tributary.kafka.handlers.FetchHandler;
import io.tributary.kafka.handlers.InitProducerIdHandler;
import io.tributary.kafka.handlers.ListOffsetsHandler;
import io.tributary.kafka.handlers.MetadataHandler;
import io.tributary.kafka.handlers.ProduceHandler;
import io.tributary.kafka.handlers.WriteTxnMarkersHandler;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The dispatch table: which handler serves which API, at which versions. What is registered here is
 * exactly what ApiVersions advertises.
 */
public final class KafkaApis {
    private KafkaApis() {
    }

    public static SupportedApis create(KafkaBroker broker) {
        SupportedApis apis = new SupportedApis();
        apis.register(ApiKeys.API_VERSIONS, new ApiVersionsHandler(apis));
        apis.register(ApiKeys.METADATA, new MetadataHandler(broker));
        // Produce is advertised from v0 (librdkafka disables compression otherwise, as Apache Kafka 4 does)
        // but, like Kafka 4, v0-2 requests are refused: kafka-clients can no longer parse them.
        apis.register(ApiKeys.PRODUCE, (short) 0, ApiKeys.PRODUCE.latestVersion(), new ProduceHandler(broker));
        apis.register(ApiKeys.FETCH, new FetchHandler(broker));
        apis.register(ApiKeys.LIST_OFFSETS, new ListOffsetsHandler(broker));
        apis.register(ApiKeys.INIT_PRODUCER_ID, new InitProducerIdHandler(broker));
        apis.register(ApiKeys.WRITE_TXN_MARKERS, new WriteTxnMarkersHandler(broker));
        AdminApis.register(apis, broker);
        GroupApis.register(apis, broker);
        return apis;
    }
}
