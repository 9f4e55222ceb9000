package io.meterline.platform.graphql;

import graphql.schema.DataFetchingEnvironment;
import io.meterline.platform.common.ErrorCode;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.security.Viewer;
import java.util.Map;

/** Reads the viewer a request was made by from the GraphQL context. */
public final class GraphQLContextKeys {

    static final String VIEWER = "meterline.viewer";
    static final String CLIENT_ADDRESS = "meterline.clientAddress";

    private GraphQLContextKeys() {
    }

    /** The GraphQL context entries of a viewer's execution, for transports other than {@code /graphql} (the websocket handler). */
    public static Map<String, Object> contextOf(Viewer viewer) {
        return Map.of(VIEWER, viewer);
    }

    /** The address the request came from (for throttling sign-ins), or {@code unknown}. */
    public static String clientAddress(DataFetchingEnvironment environment) {
        String address = environment.getGraphQlContext().get(CLIENT_ADDRESS);
        return address == null ? "unknown" : address;
    }

    /** The signed-in viewer; the request guard has already refused anonymous operations. */
    public static Viewer viewer(DataFetchingEnvironment environment) {
        Viewer viewer = environment.getGraphQlContext().get(VIEWER);
        if (viewer == null) {
            throw new MeterlineException(ErrorCode.UNAUTHENTICATED, "Sign in: send Authorization: Bearer <access_token> from POST /login");
        }
        return viewer;
    }
}
