package io.meterline.platform.http;

import io.meterline.platform.common.ErrorBody;
import io.meterline.platform.common.ErrorCode;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.JsonExceptionHandler;
import io.micronaut.json.JsonSyntaxException;
import jakarta.inject.Singleton;

/**
 * A body Micronaut binds itself (sign-in, token refresh) that is not valid JSON, a key given twice
 * included: 400 with a fixed sentence. Micronaut's own handler echoed the parser's text, which names
 * the parser's settings and classes.
 */
@Produces
@Singleton
@Replaces(JsonExceptionHandler.class)
public class InvalidJsonHandler implements ExceptionHandler<JsonSyntaxException, HttpResponse<ErrorBody>> {

    @Override
    public HttpResponse<ErrorBody> handle(HttpRequest request, JsonSyntaxException exception) {
        return HttpResponse.badRequest(ErrorBody.of(ErrorCode.BAD_USER_INPUT, "The body is not valid JSON (malformed, or a key given twice)"));
    }
}
