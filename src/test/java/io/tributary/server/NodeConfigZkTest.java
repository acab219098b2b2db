package io.tributary.server;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** ZooKeeper's setting names: defaults, and camelCase names reachable from environment variables. */
class NodeConfigZkTest {
    @Test
    void zooKeeperDefaults() throws Exception {
        NodeConfig c = NodeConfig.load(null, Map.of(), Map.of());
        assertEquals(2181, c.zkPort());
        assertEquals(2000, c.getInt(NodeConfig.TICK_TIME));
        assertEquals(0xfffff, c.getInt(NodeConfig.JUTE_MAXBUFFER));
        assertEquals(60, c.getInt(NodeConfig.MAX_CLIENT_CNXNS));
        assertEquals(100_000, c.getInt(NodeConfig.SNAP_COUNT));
        assertEquals(NodeConfig.DEFAULT_FOUR_LETTER_WORDS, c.get(NodeConfig.FOUR_LETTER_WHITELIST));
        assertEquals(4000, c.getInt(NodeConfig.MIN_SESSION_TIMEOUT, 2 * c.getInt(NodeConfig.TICK_TIME)));
    }

    @Test
    void environmentVariablesReachCamelCaseNames() throws Exception {
        NodeConfig c = NodeConfig.load(null, Map.of("TRIBUTARY_TICKTIME", "500", "TRIBUTARY_MAXSESSIONTIMEOUT", "9000",
                "TRIBUTARY_JUTE_MAXBUFFER", "4096", "TRIBUTARY_4LW_COMMANDS_WHITELIST", "*"), Map.of());
        assertEquals(500, c.getInt(NodeConfig.TICK_TIME));
        assertEquals(9000, c.getInt(NodeConfig.MAX_SESSION_TIMEOUT));
        assertEquals(4096, c.getInt(NodeConfig.JUTE_MAXBUFFER));
        assertEquals("*", c.get(NodeConfig.FOUR_LETTER_WHITELIST));
    }

    @Test
    void enforceQuotaDefaultsToFalseAndHasAnEnvironmentName() throws Exception {
        assertEquals(false, NodeConfig.load(null, Map.of(), Map.of()).getBoolean(NodeConfig.ENFORCE_QUOTA));
        NodeConfig c = NodeConfig.load(null, Map.of("TRIBUTARY_ZOOKEEPER_ENFORCEQUOTA", "true"), Map.of());
        assertEquals(true, c.getBoolean(NodeConfig.ENFORCE_QUOTA));
    }

    @Test
    void superDigestHasNoDefaultAndSkipAclIsYesOrNo() throws Exception {
        NodeConfig d = NodeConfig.load(null, Map.of(), Map.of());
        assertEquals(null, d.get(NodeConfig.SUPER_DIGEST));
        assertEquals(false, d.getYesNo(NodeConfig.SKIP_ACL));
        NodeConfig c = NodeConfig.load(null, Map.of("TRIBUTARY_ZOOKEEPER_SKIPACL", "yes",
                "TRIBUTARY_ZOOKEEPER_DIGESTAUTHENTICATIONPROVIDER_SUPERDIGEST", "super:D/InIHSb7yEEbrWz8b9l71RjZJU="), Map.of());
        assertEquals(true, c.getYesNo(NodeConfig.SKIP_ACL));
        assertEquals("super:D/InIHSb7yEEbrWz8b9l71RjZJU=", c.get(NodeConfig.SUPER_DIGEST));
        assertThrows(IllegalArgumentException.class,
                () -> NodeConfig.of(Map.of(NodeConfig.SKIP_ACL, "maybe")).getYesNo(NodeConfig.SKIP_ACL));
    }

    @Test
    void reconfigEnabledDefaultsToFalseAndHasAnEnvironmentName() throws Exception {
        assertEquals(false, NodeConfig.load(null, Map.of(), Map.of()).getBoolean(NodeConfig.RECONFIG_ENABLED));
        NodeConfig c = NodeConfig.load(null, Map.of("TRIBUTARY_RECONFIGENABLED", "true"), Map.of());
        assertEquals(true, c.getBoolean(NodeConfig.RECONFIG_ENABLED));
    }

    @Test
    void zooKeeperListenerThreadsDefaultToOneAndMustBePositive() throws Exception {
        assertEquals(1, NodeConfig.load(null, Map.of(), Map.of()).getInt(NodeConfig.ZK_NETWORK_THREADS));
        assertEquals(3, NodeConfig.load(null, Map.of("TRIBUTARY_ZK_NETWORK_THREADS", "3"), Map.of())
                .getInt(NodeConfig.ZK_NETWORK_THREADS));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NodeConfig.of(Map.of(NodeConfig.ZK_NETWORK_THREADS, "0")));
        assertEquals("configuration zk.network.threads must be at least 1, got 0", e.getMessage());
    }
}
