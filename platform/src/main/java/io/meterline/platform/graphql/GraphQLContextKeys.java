package io.meterline.platform.graphql;

import graphql.schema.DataFetchingEnvironment;
import io.meterline.platform.common.ErrorCode;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.security.Viewer;

/** Reads the viewer a request was made by from the GraphQL context. */
public final class GraphQLContextKeys {

    static final String VIEWER = "meterline.viewer";

    private GraphQLContextKeys() {
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
