package io.meterline.platform.graphql;

import graphql.GraphqlErrorBuilder;
import graphql.execution.DataFetcherExceptionHandler;
import graphql.execution.DataFetcherExceptionHandlerParameters;
import graphql.execution.DataFetcherExceptionHandlerResult;
import io.meterline.platform.common.ErrorCode;
import io.meterline.platform.common.MeterlineException;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns exceptions from data fetchers into GraphQL errors with {@code extensions.code}; server faults never leak details. */
@Singleton
public class ErrorMapper implements DataFetcherExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

    @Override
    public CompletableFuture<DataFetcherExceptionHandlerResult> handleException(DataFetcherExceptionHandlerParameters parameters) {
        Throwable exception = unwrap(parameters.getException());
        ErrorCode code;
        String message;
        if (exception instanceof MeterlineException meterline) {
            code = meterline.code();
            message = meterline.getMessage();
        }
        else {
            code = ErrorCode.INTERNAL;
            message = "Internal server error";
            LOG.error("Data fetcher failed at {}", parameters.getPath(), exception);
        }
        return CompletableFuture.completedFuture(DataFetcherExceptionHandlerResult.newResult()
                .error(GraphqlErrorBuilder.newError(parameters.getDataFetchingEnvironment())
                        .message(message)
                        .extensions(Map.of("code", code.name()))
                        .build())
                .build());
    }

    private static Throwable unwrap(Throwable exception) {
        Throwable current = exception;
        while ((current instanceof java.util.concurrent.CompletionException || current instanceof java.lang.reflect.UndeclaredThrowableException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }
}
