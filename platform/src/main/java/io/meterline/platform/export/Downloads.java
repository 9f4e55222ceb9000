package io.meterline.platform.export;

import io.meterline.platform.common.ErrorCode;
import io.meterline.platform.common.MeterlineException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;

/** What every authenticated download shares: file names with a timestamp, and refusals as JSON with the GraphQL error code. */
public final class Downloads {

    public static final MediaType TEXT_CSV = MediaType.of("text/csv; charset=utf-8");
    public static final MediaType APPLICATION_PDF = MediaType.of("application/pdf");
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private Downloads() {
    }

    /** Why a download was refused. */
    @Serdeable
    public record Problem(String code, String message) {
    }

    /** {@code prefix-yyyyMMdd-HHmmss.extension}, the time in {@code zone}: two downloads of one report never overwrite each other. */
    public static String fileName(String prefix, Instant now, ZoneId zone, String extension) {
        return prefix + "-" + FILE_TIME.format(now.atZone(zone)) + "." + extension;
    }

    /** A 200 answer to save as {@code fileName}. */
    public static <T> MutableHttpResponse<T> attachment(T body, MediaType type, String fileName) {
        return HttpResponse.ok(body).contentType(type).header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + fileName + "\"");
    }

    /** A refusal as GraphQL would give it: NOT_FOUND (another organization's object too) 404, FORBIDDEN 403, the rest 400. */
    public static HttpResponse<Problem> refusal(MeterlineException e) {
        HttpStatus status = switch (e.code()) {
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case FORBIDDEN -> HttpStatus.FORBIDDEN;
            default -> HttpStatus.BAD_REQUEST;
        };
        return HttpResponse.status(status).contentType(MediaType.APPLICATION_JSON_TYPE).body(new Problem(e.code().name(), e.getMessage()));
    }

    @Nullable
    public static LocalDate day(@Nullable String value, String parameter) {
        try {
            return value == null ? null : LocalDate.parse(value);
        }
        catch (DateTimeParseException e) {
            throw MeterlineException.badInput(parameter + " must be a day such as 2026-06-30");
        }
    }

    @Nullable
    public static <E extends Enum<E>> E enumValue(Class<E> type, @Nullable String value, String parameter) {
        try {
            return value == null ? null : Enum.valueOf(type, value);
        }
        catch (IllegalArgumentException e) {
            throw new MeterlineException(ErrorCode.BAD_USER_INPUT, parameter + " " + value + " is not one of " + EnumSet.allOf(type));
        }
    }
}
