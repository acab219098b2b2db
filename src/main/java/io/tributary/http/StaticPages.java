package io.tributary.http;

import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The static files the front door serves (the live pages, their script and style, the OpenAPI file), read
 * once from the jar at start, on a worker, and then served from memory: a request never touches a file.
 * Immutable after {@link #load}.
 */
final class StaticPages {
    record Page(Buffer body, String contentType) {
    }

    /** URL path -> classpath resource under {@code io/tributary/http/}. */
    private static final Map<String, String[]> FILES = Map.of(
            "/live/watch", new String[]{"live/watch.html", "text/html; charset=utf-8"},
            "/live/tail", new String[]{"live/tail.html", "text/html; charset=utf-8"},
            "/live/live.js", new String[]{"live/live.js", "text/javascript; charset=utf-8"},
            "/live/live.css", new String[]{"live/live.css", "text/css; charset=utf-8"},
            "/openapi.yaml", new String[]{"openapi.yaml", "application/yaml; charset=utf-8"});

    private final Map<String, Page> pages;

    private StaticPages(Map<String, Page> pages) {
        this.pages = pages;
    }

    static StaticPages load() {
        Map<String, Page> m = new LinkedHashMap<>();
        FILES.forEach((url, res) -> {
            try (InputStream in = StaticPages.class.getResourceAsStream(res[0])) {
                if (in == null) {
                    throw new IllegalStateException("resource io/tributary/http/" + res[0] + " is missing from the jar");
                }
                m.put(url, new Page(Buffer.buffer(in.readAllBytes()), res[1]));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return new StaticPages(Map.copyOf(m));
    }

    Page get(String path) {
        return pages.get(path);
    }

    Iterable<String> paths() {
        return pages.keySet();
    }
}
