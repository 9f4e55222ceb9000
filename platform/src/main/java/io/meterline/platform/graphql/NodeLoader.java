package io.meterline.platform.graphql;

import io.meterline.platform.security.Owner;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongFunction;

/** Loads one GraphQL {@code Node} type by row id, for {@code node(id:)}; tenancy is checked by the caller, once. */
public interface NodeLoader<T> {

    /** The GraphQL type name, also the type part of the global id. */
    String type();

    /** The Java type of loaded objects, to resolve the {@code Node} interface. */
    Class<T> javaType();

    Optional<T> load(long id);

    /** Who may see the object. */
    Owner owner(T node);

    /** A loader made of functions. */
    static <T> NodeLoader<T> of(String type, Class<T> javaType, LongFunction<Optional<T>> load, Function<T, Owner> owner) {
        return new NodeLoader<>() {
            @Override
            public String type() {
                return type;
            }

            @Override
            public Class<T> javaType() {
                return javaType;
            }

            @Override
            public Optional<T> load(long id) {
                return load.apply(id);
            }

            @Override
            public Owner owner(T node) {
                return owner.apply(node);
            }
        };
    }
}
