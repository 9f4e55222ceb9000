package io.meterline.platform.common;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.MediaType;
import java.io.IOException;

/**
 * What was wrong with a JSON body, in a sentence for the client: the parser's own words and where,
 * without its notes on the source, its settings or its class names (Jackson appends
 * "[Source: REDACTED (`StreamReadFeature...` disabled)]" and names its constraint getters).
 */
public final class JsonProblems {

    private JsonProblems() {
    }

    /** Whether a request's Content-Type is JSON ({@code application/json}, any parameters): the only body our JSON endpoints read, others are 415. */
    public static boolean isJson(@Nullable MediaType contentType) {
        return contentType != null && MediaType.APPLICATION_JSON_TYPE.getName().equalsIgnoreCase(contentType.getName());
    }

    public static String describe(IOException failure) {
        if (failure instanceof StreamConstraintsException constraints) {
            return "nested deeper or longer than this server reads" + where(constraints);
        }
        if (failure instanceof JsonProcessingException processing) {
            String sentence = processing.getOriginalMessage().split("\\R| \\(start marker at ", 2)[0];
            return sentence + where(processing);
        }
        return failure.getMessage();
    }

    private static String where(JsonProcessingException failure) {
        JsonLocation location = failure.getLocation();
        return location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
}
