package io.tributary.http;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP calls for the tests (the JDK's client, so the server is tested against a foreign client). */
final class Http {
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    record Response(int status, String body, String contentType) {
        JsonObject json() {
            return new JsonObject(body);
        }
    }

    private Http() {
    }

    static Response call(String method, String url, String body, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers().firstValue("content-type").orElse(""));
        } catch (Exception e) {
            throw new AssertionError(method + " " + url + " failed", e);
        }
    }

    static Response get(String url) {
        return call("GET", url, null, null);
    }
}
