package io.meterline.platform.graphql;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import graphql.ExecutionInput;
import graphql.execution.preparsed.PreparsedDocumentEntry;
import graphql.execution.preparsed.PreparsedDocumentProvider;
import jakarta.inject.Singleton;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Parsed and validated query documents by their text, so a dashboard polling the same queries every
 * second skips parsing and validation after the first time (graphql-java's preparsed document cache).
 * Validation does not depend on variables, so the text is the whole key; a document that failed
 * validation is kept with its errors. At most {@code meterline.graphql.document-cache-size} documents
 * (least recently used go first), so many distinct queries cannot grow it without bound.
 */
@Singleton
public class DocumentCache implements PreparsedDocumentProvider {

    private final Cache<String, PreparsedDocumentEntry> documents;

    public DocumentCache(GraphQLLimits limits) {
        this.documents = Caffeine.newBuilder().maximumSize(limits.documentCacheSize()).build();
    }

    @Override
    public CompletableFuture<PreparsedDocumentEntry> getDocumentAsync(ExecutionInput input, Function<ExecutionInput, PreparsedDocumentEntry> parseAndValidate) {
        return CompletableFuture.completedFuture(documents.get(input.getQuery(), query -> parseAndValidate.apply(input)));
    }

    /** How many documents are kept. */
    long size() {
        documents.cleanUp();
        return documents.estimatedSize();
    }
}
