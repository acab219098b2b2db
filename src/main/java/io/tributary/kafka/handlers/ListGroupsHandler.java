package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ListGroupsRequest;

import java.util.HashSet;
import java.util.Set;

/**
 * ListGroups (v0-5): every group this node coordinates, filtered by state (v4+, KIP-518) and type
 * (v5+, KIP-848). All groups here are of type "classic".
 */
public final class ListGroupsHandler implements ApiHandler {
    static final String CLASSIC = "classic";
    private final KafkaBroker broker;

    public ListGroupsHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        ListGroupsRequestData req = ((ListGroupsRequest) request).data();
        short version = request.version();
        Set<String> states = new HashSet<>(req.statesFilter());
        boolean typeMatches = req.typesFilter().isEmpty() || req.typesFilter().stream().anyMatch(CLASSIC::equalsIgnoreCase);
        return broker.groups().call(c -> c.listGroups(states)).map(groups -> {
            ListGroupsResponseData resp = new ListGroupsResponseData();
            if (groups == null) {
                return resp.setErrorCode(Errors.COORDINATOR_LOAD_IN_PROGRESS.code());
            }
            if (!typeMatches) {
                return resp;
            }
            for (var g : groups) {
                ListedGroup lg = new ListedGroup().setGroupId(g.groupId()).setProtocolType(g.protocolType());
                if (version >= 4) {
                    lg.setGroupState(g.state());
                }
                if (version >= 5) {
                    lg.setGroupType(CLASSIC);
                }
                resp.groups().add(lg);
            }
            return resp;
        });
    }
}
