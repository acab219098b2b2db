/**
 * Tributary's reactive client: RxJava3 types over Vert.x {@code NetClient} connections, speaking the Kafka and
 * ZooKeeper wire protocols natively (kafka-clients' message classes, zookeeper-jute's records). It depends on no
 * package of the server, so it works against Apache Kafka and Apache ZooKeeper as well as against Tributary, and can
 * later ship as an artifact of its own.
 *
 * <p>Threading: each client object is bound to one Vert.x context (an event loop) chosen when it is created; all of
 * its state lives on that loop and every callback (a {@code Single}'s success, a {@code Flowable}'s {@code onNext})
 * arrives there. Nothing in the client blocks a thread, and it starts no threads of its own: subscribers must not
 * block either (move heavy work off with {@code observeOn}). Public methods may be called from any thread; they hop
 * onto the client's loop.
 *
 * <ul>
 *   <li>{@link io.tributary.client.kafka} — producer, consumer, admin over the Kafka protocol</li>
 *   <li>{@link io.tributary.client.zk} — sessions, operations, watch streams over the ZooKeeper protocol, and
 *   {@link io.tributary.client.zk.recipes} — lock, leader election, membership, configuration</li>
 * </ul>
 */
package io.tributary.client;
