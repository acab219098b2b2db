package io.tributary.metrics;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/** A scrape of {@code GET /metrics} in Prometheus text format 0.0.4, parsed into samples. */
final class Scrape {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    record Sample(String name, Map<String, String> labels, double value) {
        String label(String k) {
            return labels.get(k);
        }
    }

    final String text;
    final String contentType;
    final List<Sample> samples;

    private Scrape(String text, String contentType) {
        this.text = text;
        this.contentType = contentType;
        this.samples = parse(text);
    }

    static Scrape of(String httpBase) {
        return of(httpBase, null);
    }

    static Scrape of(String httpBase, String accept) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(httpBase + "/metrics")).timeout(Duration.ofSeconds(30));
        if (accept != null) {
            b.header("Accept", accept);
        }
        try {
            HttpResponse<String> r = CLIENT.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError("GET /metrics answered " + r.statusCode() + ": " + r.body());
            }
            return new Scrape(r.body(), r.headers().firstValue("content-type").orElse(""));
        } catch (IOException e) {
            throw new AssertionError("GET /metrics failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Names of every sample (with _total, _bucket, ... as exposed). */
    Set<String> names() {
        Set<String> out = new TreeSet<>();
        samples.forEach(s -> out.add(s.name()));
        return out;
    }

    List<Sample> all(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    List<Sample> all(String name, Predicate<Sample> where) {
        return samples.stream().filter(s -> s.name().equals(name) && where.test(s)).toList();
    }

    /** The one sample of {@code name} whose labels include {@code kv} (pairs); null if none. */
    Sample one(String name, String... kv) {
        List<Sample> found = all(name, s -> {
            for (int i = 0; i < kv.length; i += 2) {
                if (!kv[i + 1].equals(s.labels().get(kv[i]))) {
                    return false;
                }
            }
            return true;
        });
        if (found.size() > 1) {
            throw new AssertionError("more than one " + name + " with " + String.join(",", kv) + ": " + found);
        }
        return found.isEmpty() ? null : found.get(0);
    }

    double value(String name, String... kv) {
        Sample s = one(name, kv);
        if (s == null) {
            throw new AssertionError("no sample " + name + " " + String.join(",", kv) + " in the scrape");
        }
        return s.value();
    }

    static List<Sample> parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            String name;
            Map<String, String> labels = new LinkedHashMap<>();
            int rest;
            if (brace >= 0 && brace < space) {
                name = line.substring(0, brace);
                int i = brace + 1;
                while (line.charAt(i) != '}') {
                    int eq = line.indexOf('=', i);
                    String key = line.substring(i, eq).trim();
                    StringBuilder v = new StringBuilder();
                    int j = eq + 2; // past ="
                    while (line.charAt(j) != '"') {
                        char c = line.charAt(j);
                        if (c == '\\') {
                            char n = line.charAt(++j);
                            v.append(n == 'n' ? '\n' : n);
                        } else {
                            v.append(c);
                        }
                        j++;
                    }
                    labels.put(key, v.toString());
                    i = j + 1;
                    if (line.charAt(i) == ',') {
                        i++;
                    }
                }
                rest = i + 2;
            } else {
                name = line.substring(0, space);
                rest = space + 1;
            }
            String[] parts = line.substring(rest).trim().split(" ");
            out.add(new Sample(name, labels, Double.parseDouble(parts[0])));
        }
        return out;
    }
}
