package io.tributary.http;

import io.tributary.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Znodes over REST against the ZooKeeper Java client: CRUD, compare-and-set clashes, ACLs, bad input. */
class RestZnodesTest {
    @TempDir
    static Path dir;
    static TestNode node;
    static ZooKeeper zk;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.start(dir, Map.of("offsets.topic.num.partitions", "1"));
        CountDownLatch up = new CountDownLatch(1);
        zk = new ZooKeeper(node.zkConnect(), 30_000, e -> {
            if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                up.countDown();
            }
        });
        assertTrue(up.await(20, TimeUnit.SECONDS));
    }

    @AfterAll
    static void stop() throws Exception {
        zk.close();
        node.close();
    }

    String url(String path) {
        return node.httpBase() + "/v1/znodes" + path;
    }

    static Http.Response json(String method, String url, JsonObject body) {
        return Http.call(method, url, body.encode(), "application/json");
    }

    static Http.Response withBasic(String method, String url, String body, String userPass) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Basic "
                + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8)));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = Http.CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Http.Response(r.statusCode(), r.body(), "");
    }

    @Test
    void createReadUpdateDeleteAsTheZooKeeperClientSeesThem() throws Exception {
        Http.Response created = json("POST", url("/rest"), new JsonObject().put("data", "hello"));
        assertEquals(201, created.status(), created.body());
        assertEquals("hello", new String(zk.getData("/rest", false, null), StandardCharsets.UTF_8));
        zk.create("/rest/child", new byte[]{1, 2, (byte) 0xff}, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

        JsonObject got = Http.get(url("/rest")).json();
        assertEquals("hello", got.getString("data"));
        assertEquals(List.of("child"), got.getJsonArray("children").getList());
        assertEquals(0, got.getJsonObject("stat").getInteger("version"));
        JsonObject child = Http.get(url("/rest/child")).json();
        assertArrayEquals(new byte[]{1, 2, (byte) 0xff}, Base64.getDecoder().decode(child.getString("data_base64")));

        Http.Response put = json("PUT", url("/rest"), new JsonObject().put("data", "v1").put("version", 0));
        assertEquals(200, put.status(), put.body());
        assertEquals(1, put.json().getJsonObject("stat").getInteger("version"));
        assertEquals("v1", new String(zk.getData("/rest", false, null), StandardCharsets.UTF_8));
        Http.Response bytes = json("PUT", url("/rest"), new JsonObject().put("data_base64", "AAEC"));
        assertEquals(200, bytes.status());
        assertArrayEquals(new byte[]{0, 1, 2}, zk.getData("/rest", false, null));

        Http.Response seq = json("POST", url("/rest/item-"), new JsonObject().put("mode", "persistent-sequential"));
        assertEquals("/rest/item-0000000001", seq.json().getString("path"), seq.body());

        assertEquals(409, Http.call("DELETE", url("/rest"), null, null).status(), "not empty");
        assertEquals(204, Http.call("DELETE", url("/rest?recursive=true"), null, null).status());
        assertNull(zk.exists("/rest", false));
        assertEquals(40404, Http.get(url("/rest")).json().getInteger("error_code"));
    }

    @Test
    void aCompareAndSetClashIs409WithTheCurrentStat() throws Exception {
        zk.create("/cas", "0".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        Stat s = zk.setData("/cas", "someone else".getBytes(StandardCharsets.UTF_8), 0);
        Http.Response clash = json("PUT", url("/cas"), new JsonObject().put("data", "mine").put("version", 0));
        assertEquals(409, clash.status(), clash.body());
        assertEquals(40901, clash.json().getInteger("error_code"));
        assertEquals(s.getVersion(), clash.json().getJsonObject("current_stat").getInteger("version"));
        assertEquals(s.getMzxid(), clash.json().getJsonObject("current_stat").getLong("mzxid"));
        assertEquals("someone else", new String(zk.getData("/cas", false, null), StandardCharsets.UTF_8), "nothing written");
        Http.Response retry = json("PUT", url("/cas"), new JsonObject().put("data", "mine").put("version", s.getVersion()));
        assertEquals(200, retry.status());
        assertEquals(409, Http.call("DELETE", url("/cas?version=0"), null, null).status());
        assertEquals(204, Http.call("DELETE", url("/cas?version=2"), null, null).status());
        assertEquals(409, json("POST", url("/zookeeper"), new JsonObject()).status(), "exists");
    }

    @Test
    void aclsApplyWithBasicCredentials() throws Exception {
        Http.Response created = json("POST", url("/secret"), new JsonObject().put("data", "s3")
                .put("acl", new JsonArray().add(new JsonObject().put("scheme", "auth").put("id", "").put("perms", "cdrwa"))));
        assertEquals(422, created.status(), "the auth scheme needs an authenticated caller: " + created.body());
        Http.Response byBob = withBasic("POST", url("/secret"), new JsonObject().put("data", "s3")
                .put("acl", new JsonArray().add(new JsonObject().put("scheme", "auth").put("id", "").put("perms", "cdrwa"))).encode(),
                "bob:pw");
        assertEquals(201, byBob.status(), byBob.body());
        assertEquals(403, Http.get(url("/secret")).status());
        assertEquals(40301, Http.get(url("/secret")).json().getInteger("error_code"));
        assertEquals(403, withBasic("GET", url("/secret"), null, "bob:wrong").status());
        Http.Response ok = withBasic("GET", url("/secret"), null, "bob:pw");
        assertEquals("s3", ok.json().getString("data"), ok.body());
    }

    @Test
    void badInputIsRefusedAndNothingIsWritten() throws Exception {
        assertEquals(42207, Http.get(url("/a/%2e%2e/b")).json().getInteger("error_code"));
        assertEquals(42207, Http.get(url("/trailing/")).json().getInteger("error_code"));
        assertEquals(42206, json("POST", url("/x"), new JsonObject().put("mode", "ephemeral")).json().getInteger("error_code"));
        assertEquals(42206, json("POST", url("/x"), new JsonObject().put("data", 5)).json().getInteger("error_code"));
        assertEquals(42206, json("POST", url("/x"), new JsonObject().put("data_base64", "***")).json().getInteger("error_code"));
        assertEquals(42206, json("PUT", url("/"), new JsonObject().put("version", -5)).json().getInteger("error_code"));
        assertEquals(415, Http.call("POST", url("/x"), "{}", "text/plain").status());
        assertEquals(400, Http.call("POST", url("/x"), "{not json", "application/json").status());
        assertEquals(404, json("POST", url("/no/parent"), new JsonObject()).status());
        assertNull(zk.exists("/x", false));
        assertEquals(403, Http.call("DELETE", url("/zookeeper?recursive=true"), null, null).status());
    }
}
