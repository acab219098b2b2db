package io.tributary.kafka.handlers;

import io.tributary.log.BrokerConfigDef;
import io.tributary.log.BrokerConfigLayers;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How the broker resources are reported (DescribeConfigs), with Kafka 4.3's rules (ConfigHelper
 * createBrokerConfigEntry): a property's value is its own — the first layer that sets it, else Kafka's
 * default, which may be null ({@code log.retention.ms} is unset unless someone sets it; the topic default
 * then comes from {@code log.retention.hours}) — its synonyms are {@link TopicConfigs#configSynonyms}, and it
 * is read-only unless it may change at runtime ({@link BrokerConfigDef#DYNAMIC}). Stateless.
 */
final class BrokerConfigs {
    private BrokerConfigs() {
    }

    /** This node's resource (name = node id): every broker property Tributary has under a Kafka name. */
    static List<TopicConfigs.Entry> describeBroker(BrokerConfigLayers layers) {
        TopicConfigs.Reported reported = TopicConfigs.Reported.of(layers);
        List<TopicConfigs.Entry> entries = new ArrayList<>();
        for (BrokerConfigDef.Setting s : BrokerConfigDef.settings()) {
            String name = s.name();
            List<DescribeConfigsSynonym> synonyms = TopicConfigs.configSynonyms(name, reported);
            String value = firstSet(name, reported.node(), reported.clusterDefault(), reported.staticProps());
            entries.add(new TopicConfigs.Entry(name, value != null ? value : s.kafkaDefault(), sourceOf(synonyms),
                    s.type(), s.documentation(), synonyms, !BrokerConfigDef.DYNAMIC.contains(name)));
        }
        return entries;
    }

    /**
     * The cluster-wide default resource (empty name): only what was set dynamically for it, each with its
     * DYNAMIC_DEFAULT_BROKER_CONFIG synonyms alone.
     */
    static List<TopicConfigs.Entry> describeClusterDefault(BrokerConfigLayers layers) {
        TopicConfigs.Reported reported = TopicConfigs.Reported.of(layers);
        List<TopicConfigs.Entry> entries = new ArrayList<>();
        new TreeMap<>(layers.clusterDefault()).forEach((name, value) -> {
            List<DescribeConfigsSynonym> synonyms = TopicConfigs.configSynonyms(name, reported).stream()
                    .filter(syn -> syn.source() == ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id()).toList();
            BrokerConfigDef.Setting s = BrokerConfigDef.setting(name);
            entries.add(new TopicConfigs.Entry(name, value, sourceOf(synonyms), s == null ? null : s.type(),
                    s == null ? null : s.documentation(), synonyms, !BrokerConfigDef.DYNAMIC.contains(name)));
        });
        return entries;
    }

    @SafeVarargs
    private static String firstSet(String name, Map<String, String>... layers) {
        for (Map<String, String> layer : layers) {
            String v = layer.get(name);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static ConfigSource sourceOf(List<DescribeConfigsSynonym> synonyms) {
        return synonyms.isEmpty() ? ConfigSource.DEFAULT_CONFIG : ConfigSource.forId(synonyms.get(0).source());
    }
}
