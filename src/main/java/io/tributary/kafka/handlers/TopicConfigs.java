package io.tributary.kafka.handlers;

import io.tributary.log.BrokerConfigDef;
import io.tributary.log.BrokerConfigLayers;
import io.tributary.log.LogConfig;
import io.tributary.log.TopicInfo;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How configuration entries are reported (DescribeConfigs, and CreateTopics v5+), with Kafka 4.3's rules
 * (ConfigHelper): a topic config's synonyms are its topic override, then the broker property that supplies
 * its default ({@code retention.ms} → {@code log.retention.ms}) in each layer of {@link BrokerConfigLayers}
 * where it or one of its coarser-unit fallbacks is set — this node's dynamic configs, the dynamic cluster
 * default, the static properties, Kafka's built-in defaults — and the source is that of the first synonym.
 * Broker entries: {@link BrokerConfigs}. Stateless.
 */
final class TopicConfigs {
    /** One reported configuration entry, before it is shaped for a particular API version. */
    record Entry(String name, String value, ConfigSource source, ConfigDef.Type type, String documentation,
                 List<DescribeConfigsSynonym> synonyms, boolean readOnly) {
    }

    /**
     * The broker layers as DescribeConfigs reports them, computed once per request: this node's dynamic
     * configs, the cluster default, the static layer as Kafka would see it ({@link #staticView}), Kafka's
     * built-in defaults.
     */
    record Reported(Map<String, String> node, Map<String, String> clusterDefault, Map<String, String> staticProps,
                    Map<String, String> kafkaDefaults) {
        static Reported of(BrokerConfigLayers layers) {
            return new Reported(layers.node(), layers.clusterDefault(), staticView(layers.staticProps()), KAFKA_DEFAULTS);
        }
    }

    /** Kafka's built-in default of every broker property that has one. */
    private static final Map<String, String> KAFKA_DEFAULTS;

    static {
        Map<String, String> defaults = new HashMap<>();
        for (BrokerConfigDef.Setting s : BrokerConfigDef.settings()) {
            if (s.kafkaDefault() != null) {
                defaults.put(s.name(), s.kafkaDefault());
            }
        }
        KAFKA_DEFAULTS = Map.copyOf(defaults);
    }

    private TopicConfigs() {
    }

    /** Every topic config name, in ConfigDef order. */
    static Collection<String> names() {
        return LogConfig.CONFIG_DEF.configKeys().keySet();
    }

    static ConfigDef.ConfigKey key(String name) {
        return LogConfig.CONFIG_DEF.configKeys().get(name);
    }

    /** The effective configuration of a topic, one entry per topic config. */
    static List<Entry> describeTopic(TopicInfo info, BrokerConfigLayers layers) {
        Reported reported = Reported.of(layers);
        List<Entry> entries = new ArrayList<>();
        for (String name : names()) {
            entries.add(describeTopicConfig(info, name, reported));
        }
        return entries;
    }

    static Entry describeTopicConfig(TopicInfo info, String name, Reported layers) {
        ConfigDef.ConfigKey key = key(name);
        String value = info.config().valueAsString(name);
        List<DescribeConfigsSynonym> synonyms = new ArrayList<>();
        if (info.configOverrides().containsKey(name)) {
            synonyms.add(synonym(name, value, ConfigSource.TOPIC_CONFIG));
        }
        String brokerName = LogConfig.BROKER_SYNONYMS.get(name);
        if (brokerName != null) {
            synonyms.addAll(configSynonyms(brokerName, layers));
        }
        ConfigSource source = synonyms.isEmpty() ? ConfigSource.DEFAULT_CONFIG : ConfigSource.forId(synonyms.get(0).source());
        return new Entry(name, value, source, key.type, key.documentation, synonyms, false);
    }

    /**
     * Kafka's synonym list of broker property {@code name} (ConfigHelper.configSynonyms): each of its
     * {@link BrokerConfigDef#synonyms} that is set, layer by layer — dynamic for this node, dynamic cluster
     * default, static, Kafka's defaults — then everything before the first entry named {@code name} is
     * dropped. So a coarse unit counts only after the exact name: with just {@code log.retention.hours=48}
     * in the static properties, {@code retention.ms} has no synonyms and reports DEFAULT_CONFIG, as in Kafka.
     */
    static List<DescribeConfigsSynonym> configSynonyms(String name, Reported layers) {
        List<String> names = BrokerConfigDef.synonyms(name);
        List<DescribeConfigsSynonym> all = new ArrayList<>();
        addSet(all, names, layers.node(), ConfigSource.DYNAMIC_BROKER_CONFIG);
        addSet(all, names, layers.clusterDefault(), ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        addSet(all, names, layers.staticProps(), ConfigSource.STATIC_BROKER_CONFIG);
        addSet(all, names, layers.kafkaDefaults(), ConfigSource.DEFAULT_CONFIG);
        int first = 0;
        while (first < all.size() && !all.get(first).name().equals(name)) {
            first++;
        }
        return new ArrayList<>(all.subList(first, all.size()));
    }

    /**
     * The static layer as Kafka would report it. The node's properties hold Tributary's built-in default for
     * every setting, so a value equal to Kafka's default counts as the default (Kafka would say static only if
     * the operator had written it down); a value Tributary chose differently (thread counts from the cores, a
     * smaller cleaner buffer) is static, as if written in server.properties. {@code broker.id} is the node id.
     */
    static Map<String, String> staticView(Map<String, String> staticProps) {
        Map<String, String> view = new HashMap<>(staticProps);
        if (staticProps.containsKey("node.id")) {
            view.put("broker.id", staticProps.get("node.id"));
        }
        for (BrokerConfigDef.Setting s : BrokerConfigDef.settings()) {
            String value = view.get(s.name());
            if (value == null && s.tributaryDefault() != null) {
                view.put(s.name(), value = s.tributaryDefault());
            }
            if (value != null && value.equals(s.kafkaDefault())) {
                view.remove(s.name());
            }
        }
        return view;
    }

    private static void addSet(List<DescribeConfigsSynonym> out, List<String> names, Map<String, String> layer, ConfigSource source) {
        for (String n : names) {
            String v = layer.get(n);
            if (v != null) {
                out.add(synonym(n, v, source));
            }
        }
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

    /**
     * Shapes an entry for DescribeConfigs at {@code version}. Documentation is null unless asked for, as
     * Kafka answers (the field's default would be an empty string).
     */
    static DescribeConfigsResourceResult toDescribeResult(Entry e, short version, boolean includeSynonyms,
                                                          boolean includeDocumentation) {
        DescribeConfigsResourceResult r = new DescribeConfigsResourceResult()
                .setName(e.name())
                .setValue(e.value())
                .setReadOnly(e.readOnly())
                .setIsSensitive(e.type() == ConfigDef.Type.PASSWORD)
                .setConfigSource(e.source().id());
        if (includeSynonyms) {
            r.setSynonyms(new ArrayList<>(e.synonyms()));
        }
        if (version >= 3) {
            r.setConfigType(configType(e.type()));
            r.setDocumentation(includeDocumentation ? e.documentation() : null);
        }
        return r;
    }
}
