package io.tributary.kafka.handlers;

import io.tributary.log.BrokerConfigLayers;
import io.tributary.log.LogConfig;
import io.tributary.log.TopicInfo;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a topic's configuration and the broker's topic defaults are reported (DescribeConfigs, and
 * CreateTopics v5+): effective value, where it comes from, and its synonyms in Kafka's order — the
 * topic override, then the static broker properties that set it, then Kafka's built-in default. There
 * broker synonyms come from the layers of {@link BrokerConfigLayers} (dynamic for this node, dynamic
 * cluster default, static). Stateless.
 */
final class TopicConfigs {
    /** One reported configuration entry, before it is shaped for a particular API version. */
    record Entry(String name, String value, ConfigSource source, ConfigDef.Type type, String documentation,
                 List<DescribeConfigsSynonym> synonyms) {
    }

    /**
     * Broker properties that set a topic config, in Kafka's precedence order. Kafka's time configs
     * fall back to coarser units ({@code log.retention.ms} &gt; {@code .minutes} &gt; {@code .hours}).
     */
    private static final Map<String, List<String>> UNIT_FALLBACKS = Map.of(
            TopicConfig.RETENTION_MS_CONFIG, List.of("log.retention.ms", "log.retention.minutes", "log.retention.hours"),
            TopicConfig.SEGMENT_MS_CONFIG, List.of("log.roll.ms", "log.roll.hours"),
            TopicConfig.SEGMENT_JITTER_MS_CONFIG, List.of("log.roll.jitter.ms", "log.roll.jitter.hours"));

    /** Kafka's broker defaults for the coarse-unit properties (the fine-grained ones default to null). */
    static final Map<String, String> UNIT_FALLBACK_DEFAULTS = Map.of(
            "log.retention.hours", "168",
            "log.roll.hours", "168",
            "log.roll.jitter.hours", "0");

    private TopicConfigs() {
    }

    static List<String> brokerSynonyms(String topicConfig) {
        List<String> fallbacks = UNIT_FALLBACKS.get(topicConfig);
        if (fallbacks != null) {
            return fallbacks;
        }
        String broker = LogConfig.BROKER_SYNONYMS.get(topicConfig);
        return broker == null ? List.of() : List.of(broker);
    }

    /** Every topic config name, in ConfigDef order. */
    static Collection<String> names() {
        return LogConfig.CONFIG_DEF.configKeys().keySet();
    }

    static ConfigDef.ConfigKey key(String name) {
        return LogConfig.CONFIG_DEF.configKeys().get(name);
    }

    /** The definition behind a broker property that supplies a topic default, or null. */
    static ConfigDef.ConfigKey brokerKey(String brokerName) {
        for (Map.Entry<String, String> e : LogConfig.BROKER_SYNONYMS.entrySet()) {
            if (e.getValue().equals(brokerName) || brokerSynonyms(e.getKey()).contains(brokerName)) {
                return key(e.getKey());
            }
        }
        return null;
    }

    /** Entries for a dynamic layer on its own (DescribeConfigs of the cluster-default broker resource). */
    static List<Entry> describeDynamicLayer(Map<String, String> layer, ConfigSource source) {
        List<Entry> entries = new ArrayList<>();
        new java.util.TreeMap<>(layer).forEach((name, value) -> {
            ConfigDef.ConfigKey key = brokerKey(name);
            entries.add(new Entry(name, value, source, key == null ? null : key.type, key == null ? null : key.documentation,
                    List.of(synonym(name, value, source))));
        });
        return entries;
    }

    /** The effective configuration of a topic, one entry per topic config. */
    static List<Entry> describeTopic(TopicInfo info, BrokerConfigLayers brokerProps) {
        List<Entry> entries = new ArrayList<>();
        for (String name : names()) {
            entries.add(describeTopicConfig(info, name, brokerProps));
        }
        return entries;
    }

    static Entry describeTopicConfig(TopicInfo info, String name, BrokerConfigLayers brokerProps) {
        ConfigDef.ConfigKey key = key(name);
        String value = info.config().valueAsString(name);
        List<DescribeConfigsSynonym> synonyms = new ArrayList<>();
        if (info.configOverrides().containsKey(name)) {
            synonyms.add(synonym(name, value, ConfigSource.TOPIC_CONFIG));
        }
        synonyms.addAll(brokerSynonymChain(name, brokerSynonyms(name), brokerProps));
        ConfigSource source = synonyms.isEmpty() ? ConfigSource.DEFAULT_CONFIG
                : ConfigSource.forId(synonyms.get(0).source());
        return new Entry(name, value, source, key.type, key.documentation, synonyms);
    }

    /**
     * The broker's view: each broker property that supplies a topic default, with the effective value,
     * STATIC_BROKER_CONFIG when the node's properties set it (or a coarser-unit fallback of it), else
     * DEFAULT_CONFIG.
     */
    static List<Entry> describeBrokerTopicDefaults(LogConfig brokerDefaults, BrokerConfigLayers layers) {
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, String> e : LogConfig.BROKER_SYNONYMS.entrySet()) {
            String topicName = e.getKey();
            String brokerName = e.getValue();
            ConfigDef.ConfigKey key = key(topicName);
            List<String> chain = brokerSynonyms(topicName);
            List<String> fromHere = chain.contains(brokerName) ? chain.subList(chain.indexOf(brokerName), chain.size()) : List.of(brokerName);
            List<DescribeConfigsSynonym> synonyms = brokerSynonymChain(topicName, fromHere, layers);
            ConfigSource source = synonyms.isEmpty() ? ConfigSource.DEFAULT_CONFIG : ConfigSource.forId(synonyms.get(0).source());
            entries.add(new Entry(brokerName, brokerDefaults.valueAsString(topicName), source, key.type, key.documentation, synonyms));
        }
        // The coarse-unit properties are broker configs in their own right.
        Map<String, String> coarse = new LinkedHashMap<>();
        coarse.put("log.retention.minutes", null);
        coarse.put("log.retention.hours", UNIT_FALLBACK_DEFAULTS.get("log.retention.hours"));
        coarse.put("log.roll.hours", UNIT_FALLBACK_DEFAULTS.get("log.roll.hours"));
        coarse.put("log.roll.jitter.hours", UNIT_FALLBACK_DEFAULTS.get("log.roll.jitter.hours"));
        coarse.forEach((name, kafkaDefault) -> {
            List<DescribeConfigsSynonym> synonyms = new ArrayList<>(setInLayers(List.of(name), layers));
            if (kafkaDefault != null) {
                synonyms.add(synonym(name, kafkaDefault, ConfigSource.DEFAULT_CONFIG));
            }
            ConfigSource source = synonyms.isEmpty() ? ConfigSource.DEFAULT_CONFIG : ConfigSource.forId(synonyms.get(0).source());
            String value = synonyms.isEmpty() ? null : synonyms.get(0).value();
            entries.add(new Entry(name, value, source, ConfigDef.Type.INT, null, synonyms));
        });
        return entries;
    }

    /**
     * The broker synonyms that are set, in Kafka's precedence: this node's dynamic configs, the dynamic
     * cluster default, the static properties; within a layer in the synonyms' own order.
     */
    private static List<DescribeConfigsSynonym> setInLayers(List<String> brokerNames, BrokerConfigLayers layers) {
        List<DescribeConfigsSynonym> synonyms = new ArrayList<>();
        addSet(synonyms, brokerNames, layers.node(), ConfigSource.DYNAMIC_BROKER_CONFIG);
        addSet(synonyms, brokerNames, layers.clusterDefault(), ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        addSet(synonyms, brokerNames, layers.staticProps(), ConfigSource.STATIC_BROKER_CONFIG);
        return synonyms;
    }

    private static void addSet(List<DescribeConfigsSynonym> out, List<String> names, Map<String, String> layer, ConfigSource source) {
        for (String b : names) {
            String v = layer.get(b);
            if (v != null) {
                out.add(synonym(b, v, source));
            }
        }
    }

    /** The broker synonyms that are set, then Kafka's built-in default for the last-resort name. */
    private static List<DescribeConfigsSynonym> brokerSynonymChain(String topicName, List<String> brokerNames,
                                                                   BrokerConfigLayers layers) {
        List<DescribeConfigsSynonym> synonyms = setInLayers(brokerNames, layers);
        String defaultName = null;
        String defaultValue = null;
        for (String b : brokerNames) {
            if (UNIT_FALLBACK_DEFAULTS.containsKey(b)) {
                defaultName = b;
                defaultValue = UNIT_FALLBACK_DEFAULTS.get(b);
            }
        }
        if (defaultName == null && !brokerNames.isEmpty()) {
            ConfigDef.ConfigKey key = key(topicName);
            defaultName = brokerNames.get(0);
            defaultValue = ConfigDef.convertToString(key.defaultValue, key.type);
        }
        if (defaultName != null) {
            synonyms.add(synonym(defaultName, defaultValue, ConfigSource.DEFAULT_CONFIG));
        }
        return synonyms;
    }

    static DescribeConfigsSynonym synonym(String name, String value, ConfigSource source) {
        return new DescribeConfigsSynonym().setName(name).setValue(value).setSource(source.id());
    }

    static byte configType(ConfigDef.Type type) {
        if (type == null) {
            return ConfigType.UNKNOWN.id();
        }
        try {
            return ConfigType.valueOf(type.name()).id();
        } catch (IllegalArgumentException e) {
            return ConfigType.UNKNOWN.id();
        }
    }

    /** Shapes an entry for DescribeConfigs at {@code version}. */
    static DescribeConfigsResourceResult toDescribeResult(Entry e, short version, boolean includeSynonyms,
                                                          boolean includeDocumentation) {
        DescribeConfigsResourceResult r = new DescribeConfigsResourceResult()
                .setName(e.name())
                .setValue(e.value())
                .setReadOnly(false)
                .setIsSensitive(false)
                .setConfigSource(e.source().id());
        if (includeSynonyms) {
            r.setSynonyms(new ArrayList<>(e.synonyms()));
        }
        if (version >= 3) {
            r.setConfigType(configType(e.type()));
            if (includeDocumentation) {
                r.setDocumentation(e.documentation());
            }
        }
        return r;
    }
}
