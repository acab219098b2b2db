/**
 * ZooKeeper recipes as reactive primitives over a {@link io.tributary.client.zk.ZkClient}, in Apache Curator's node
 * layout so they interoperate with Curator's InterProcessMutex and LeaderLatch: {@link
 * io.tributary.client.zk.recipes.Recipes#lock lock}, {@link io.tributary.client.zk.recipes.Recipes#leadership
 * leadership}, {@link io.tributary.client.zk.recipes.Recipes#membership membership}, {@link
 * io.tributary.client.zk.recipes.Recipes#config config}.
 */
package io.tributary.client.zk.recipes;
