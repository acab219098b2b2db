package io.tributary.log;

import java.util.HashMap;
import java.util.Map;

/**
 * The broker-level configuration in Kafka's layers, highest precedence first: dynamic for this node
 * ({@code kafka-configs --entity-type brokers --entity-name 1}), dynamic cluster-wide default
 * ({@code --entity-default}), then the static properties the node was started with. Which names may be
 * dynamic, and how values are checked: {@link BrokerConfigDef}. Immutable.
 */
public record BrokerConfigLayers(Map<String, String> node, Map<String, String> clusterDefault,
                                 Map<String, String> staticProps) {

    public BrokerConfigLayers {
        node = Map.copyOf(node);
        clusterDefault = Map.copyOf(clusterDefault);
        staticProps = Map.copyOf(staticProps);
    }

    public static BrokerConfigLayers ofStatic(Map<String, String> staticProps) {
        return new BrokerConfigLayers(Map.of(), Map.of(), staticProps);
    }

    /** What the broker runs with: static, overlaid by the cluster default, overlaid by this node's dynamic configs. */
    public Map<String, String> effective() {
        Map<String, String> m = new HashMap<>(staticProps);
        m.putAll(clusterDefault);
        m.putAll(node);
        return m;
    }

    public BrokerConfigLayers withDynamic(boolean clusterWide, Map<String, String> dynamic) {
        return clusterWide ? new BrokerConfigLayers(node, dynamic, staticProps) : new BrokerConfigLayers(dynamic, clusterDefault, staticProps);
    }

    public Map<String, String> dynamic(boolean clusterWide) {
        return clusterWide ? clusterDefault : node;
    }
}
