package io.meterline.platform.graphql;

import graphql.schema.DataFetchingEnvironment;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import org.dataloader.DataLoader;
import org.dataloader.DataLoaderFactory;
import org.dataloader.DataLoaderRegistry;

/**
 * A feature's DataLoaders. A fresh registry is built for every request (so nothing is cached across
 * viewers), and graphql-java batches every {@code load} of one level into one query: a page of 100
 * events with their API keys costs two queries, not 101.
 */
public interface BatchLoaders {

    /** Registers this feature's loaders. */
    void register(DataLoaderRegistry registry);

    /** A loader of rows by id, backed by one {@code WHERE id IN (...)} per batch. */
    static <T> DataLoader<Long, T> byId(Function<Collection<Long>, List<T>> load, ToLongFunction<T> id) {
        return DataLoaderFactory.newMappedDataLoader((Set<Long> keys) -> CompletableFuture.completedFuture(
                load.apply(keys).stream().collect(Collectors.toMap(id::applyAsLong, Function.identity()))));
    }

    /** Loads one row by id through the request's loader, or completes with null for a null id. */
    static <T> CompletableFuture<T> load(DataFetchingEnvironment environment, String loader, Long id) {
        if (id == null) {
            return CompletableFuture.completedFuture(null);
        }
        DataLoader<Long, T> dataLoader = environment.getDataLoader(loader);
        return dataLoader.load(id);
    }

    /** Builds one request's registry from every feature. */
    static DataLoaderRegistry registry(Collection<BatchLoaders> features) {
        DataLoaderRegistry registry = new DataLoaderRegistry();
        features.forEach(feature -> feature.register(registry));
        return registry;
    }
}
