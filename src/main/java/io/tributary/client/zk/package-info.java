/**
 * The reactive ZooKeeper client: {@link io.tributary.client.zk.ZkClient} (one session on one Vert.x event loop, every
 * ZooKeeper operation as a {@code Single}/{@code Maybe}/{@code Completable}, watches as {@code Flowable}s), speaking
 * ZooKeeper's wire protocol with zookeeper-jute's records. Works against Apache ZooKeeper 3.9 and Tributary.
 *
 * <p>Backpressure: {@link io.tributary.client.zk.WatchMode#DATA DATA} and {@link io.tributary.client.zk.WatchMode#CHILDREN
 * CHILDREN} streams collapse to the latest state for a slow subscriber (O(1) memory);
 * {@link io.tributary.client.zk.WatchMode#PERSISTENT PERSISTENT} and
 * {@link io.tributary.client.zk.WatchMode#PERSISTENT_RECURSIVE PERSISTENT_RECURSIVE} streams buffer up to
 * {@code watchBufferSize} events and then fail with {@link io.tributary.client.zk.WatchOverflowException}. Session
 * states are latest-collapsed.
 */
package io.tributary.client.zk;
