package io.meterline.platform.graphql;

import graphql.schema.idl.RuntimeWiring;

/** A feature's data fetchers. Every feature package has one bean implementing this. */
public interface GraphQLWiring {

    /** Adds the feature's data fetchers and type resolvers. */
    void wire(RuntimeWiring.Builder wiring);
}
