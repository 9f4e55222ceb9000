package io.meterline.platform.graphql;

import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.scalars.ExtendedScalars;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.CoercingSerializeException;
import graphql.schema.GraphQLScalarType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.TemporalAccessor;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** The custom scalars of the schema. */
final class Scalars {

    private Scalars() {
    }

    static List<GraphQLScalarType> all() {
        return List.of(
                stringScalar("DateTime", "An RFC 3339 timestamp with offset", Scalars::parseDateTime, Scalars::formatDateTime),
                // Not ExtendedScalars.Date: it resolves 2026-02-30 to 2026-02-28 instead of refusing it.
                stringScalar("Date", "A calendar day, YYYY-MM-DD", Scalars::parseDate, Scalars::formatDate),
                stringScalar("Decimal", "An exact decimal as a string", Scalars::parseDecimal, Scalars::formatDecimal),
                ExtendedScalars.GraphQLLong,
                ExtendedScalars.Json,
                stringScalar("CurrencyCode", "An ISO 4217 currency code", Scalars::parseCurrency, value -> value instanceof String code ? code : null));
    }

    private static GraphQLScalarType stringScalar(String name, String description, Function<String, Object> parse, Function<Object, String> format) {
        return GraphQLScalarType.newScalar().name(name).description(description).coercing(new Coercing<Object, String>() {
            @Override
            public String serialize(Object value, GraphQLContext context, Locale locale) {
                String text = format.apply(value);
                if (text == null) {
                    throw new CoercingSerializeException(name + " cannot serialise " + value.getClass().getSimpleName());
                }
                return text;
            }

            @Override
            public Object parseValue(Object input, GraphQLContext context, Locale locale) {
                if (!(input instanceof String text)) {
                    throw new CoercingParseValueException(name + " must be a string");
                }
                try {
                    return parse.apply(text);
                }
                catch (IllegalArgumentException | DateTimeParseException e) {
                    throw new CoercingParseValueException(name + ": " + e.getMessage());
                }
            }

            @Override
            public Object parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
                if (!(input instanceof StringValue text)) {
                    throw new CoercingParseLiteralException(name + " must be a string literal");
                }
                try {
                    return parse.apply(text.getValue());
                }
                catch (IllegalArgumentException | DateTimeParseException e) {
                    throw new CoercingParseLiteralException(name + ": " + e.getMessage());
                }
            }
        }).build();
    }

    private static Object parseDateTime(String text) {
        return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    private static String formatDateTime(Object value) {
        if (value instanceof Instant instant) {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC));
        }
        if (value instanceof OffsetDateTime dateTime) {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(dateTime);
        }
        return null;
    }

    private static final DateTimeFormatter STRICT_DATE = DateTimeFormatter.ISO_LOCAL_DATE.withResolverStyle(ResolverStyle.STRICT);

    private static Object parseDate(String text) {
        return LocalDate.parse(text, STRICT_DATE);
    }

    private static String formatDate(Object value) {
        if (value instanceof TemporalAccessor temporal) {
            return STRICT_DATE.format(temporal);
        }
        if (value instanceof String text) {
            return STRICT_DATE.format(LocalDate.parse(text, STRICT_DATE));
        }
        return null;
    }

    private static Object parseDecimal(String text) {
        try {
            return new BigDecimal(text.trim());
        }
        catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a decimal number: " + text);
        }
    }

    private static String formatDecimal(Object value) {
        if (value instanceof BigDecimal decimal) {
            return decimal.toPlainString();
        }
        if (value instanceof Number number) {
            return new BigDecimal(number.toString()).toPlainString();
        }
        return null;
    }

    private static Object parseCurrency(String text) {
        if (!text.matches("[A-Z]{3}")) {
            throw new IllegalArgumentException("not an ISO 4217 code: " + text);
        }
        return Currency.getInstance(text).getCurrencyCode();
    }
}
