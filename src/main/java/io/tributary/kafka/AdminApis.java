package io.tributary.kafka;

import io.tributary.kafka.handlers.AlterConfigsHandler;
import io.tributary.kafka.handlers.CreatePartitionsHandler;
import io.tributary.kafka.handlers.CreateTopicsHandler;
import io.tributary.kafka.handlers.DeleteTopicsHandler;
import io.tributary.kafka.handlers.DescribeClientQuotasHandler;
import io.tributary.kafka.handlers.DescribeClusterHandler;
import io.tributary.kafka.handlers.DescribeConfigsHandler;
import io.tributary.kafka.handlers.DescribeUserScramCredentialsHandler;
import io.tributary.kafka.handlers.IncrementalAlterConfigsHandler;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Registers the administrative APIs (topics, partitions, configs, cluster), each at the full version
 * range kafka-clients can parse: CreateTopics 2-7, DeleteTopics 1-6, CreatePartitions 0-3,
 * DescribeConfigs 1-4, AlterConfigs 0-2, IncrementalAlterConfigs 0-1, DescribeCluster 0-2,
 * DescribeClientQuotas 0-1 and DescribeUserScramCredentials 0 (always empty: no quotas are enforced and
 * there is no SASL; their Alter APIs are not offered, so kafka-configs fails cleanly on them), ElectLeaders 0-2
 * DescribeLogDirs 1-4, AlterPartitionReassignments 0-1 and ListPartitionReassignments 0.
 */
final class AdminApis {
    private AdminApis() {
    }

    static void register(SupportedApis apis, KafkaBroker broker) {
        apis.register(ApiKeys.CREATE_TOPICS, new CreateTopicsHandler(broker));
        apis.register(ApiKeys.DELETE_TOPICS, new DeleteTopicsHandler(broker));
        apis.register(ApiKeys.CREATE_PARTITIONS, new CreatePartitionsHandler(broker));
        apis.register(ApiKeys.DESCRIBE_CONFIGS, new DescribeConfigsHandler(broker));
        apis.register(ApiKeys.ALTER_CONFIGS, new AlterConfigsHandler(broker));
        apis.register(ApiKeys.INCREMENTAL_ALTER_CONFIGS, new IncrementalAlterConfigsHandler(broker));
        apis.register(ApiKeys.DESCRIBE_CLUSTER, new DescribeClusterHandler(broker));
        apis.register(ApiKeys.DESCRIBE_CLIENT_QUOTAS, new DescribeClientQuotasHandler());
        apis.register(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, new DescribeUserScramCredentialsHandler());
        apis.register(ApiKeys.ELECT_LEADERS, new io.tributary.kafka.handlers.ElectLeadersHandler(broker));
        apis.register(ApiKeys.DESCRIBE_LOG_DIRS, new io.tributary.kafka.handlers.DescribeLogDirsHandler(broker));
        apis.register(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, new io.tributary.kafka.handlers.AlterPartitionReassignmentsHandler(broker));
        apis.register(ApiKeys.LIST_PARTITION_REASSIGNMENTS, new io.tributary.kafka.handlers.ListPartitionReassignmentsHandler(broker));
    }
}
