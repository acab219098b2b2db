package io.tributary.coord;

import java.util.ArrayList;
import java.util.List;

/**
 * Which container and TTL nodes a sweep deletes (ZooKeeper's ContainerManager): empty containers that once
 * had children, and childless TTL nodes not modified for their TTL. Each deletion carries the version the
 * sweep saw, so in an ensemble, where the leader proposes them, one fails at apply (BADVERSION, NOTEMPTY)
 * if the node changed in between. Coordinator thread only.
 */
final class ContainerSweep {
    private ContainerSweep() {
    }

    static List<Op.Delete> due(ZnodeTree tree, long now) {
        List<Op.Delete> out = new ArrayList<>();
        for (String path : tree.containers()) {
            DataNode n = tree.get(path);
            if (n != null && n.children.isEmpty() && n.cversion > 0) {
                out.add(new Op.Delete(path, n.version));
            }
        }
        for (String path : tree.ttlNodes()) {
            DataNode n = tree.get(path);
            if (n != null && n.children.isEmpty() && now - n.mtime > EphemeralType.ttlOf(n.ephemeralOwner)) {
                out.add(new Op.Delete(path, n.version));
            }
        }
        return out;
    }
}
