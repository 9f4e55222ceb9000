package io.meterline.platform.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import graphql.language.EnumTypeDefinition;
import graphql.language.EnumValueDefinition;
import graphql.schema.idl.SchemaParser;
import graphql.schema.idl.TypeDefinitionRegistry;
import io.meterline.platform.account.AccountErrorCode;
import io.meterline.platform.common.UserErrorCode;
import io.meterline.platform.fx.FxLoadError;
import io.meterline.platform.invoice.InvoiceErrorCode;
import io.meterline.platform.usage.UsageErrorCode;
import io.meterline.platform.webhook.WebhookUrlRefusal;
import io.meterline.plugin.spi.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every error code lives twice, as a Java enum constant and as a schema enum value: these checks fail the build when
 * a code is added, renamed or removed in one place only. Reads graphql-schema/*.graphqls (base types and every
 * {@code extend enum}), not the printed schema.graphql, so it needs no server.
 */
class ErrorCodeSchemaTest {

    private static TypeDefinitionRegistry registry;
    private static List<Class<?>> userErrorEnums;

    @BeforeAll
    static void read() throws IOException {
        registry = new TypeDefinitionRegistry();
        try (Stream<Path> files = Files.list(Path.of("..", "graphql-schema"))) {
            for (Path file : files.filter(path -> path.toString().endsWith(".graphqls")).sorted().toList()) {
                registry.merge(new SchemaParser().parse(Files.readString(file)));
            }
        }
        userErrorEnums = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.meterline.platform")
                .stream().filter(JavaClass::isEnum).filter(type -> type.isAssignableTo(UserErrorCode.class)).map(JavaClass::reflect)
                .collect(Collectors.toList());
    }

    @Test
    void everyUserErrorEnumIsFound() {
        assertThat(userErrorEnums).as("the enums implementing UserErrorCode").contains(AccountErrorCode.class, InvoiceErrorCode.class, WebhookUrlRefusal.class)
                .hasSizeGreaterThanOrEqualTo(19);
    }

    @Test
    void everyJavaUserErrorCodeIsASchemaValue() {
        Set<String> schema = schemaValues("UserErrorCode");
        for (Class<?> type : userErrorEnums) {
            assertThat(names(type)).as(type.getName() + " constants missing from the schema's UserErrorCode").isSubsetOf(schema);
        }
    }

    @Test
    void everySchemaUserErrorCodeIsAJavaConstant() {
        Set<String> java = userErrorEnums.stream().flatMap(type -> names(type).stream()).collect(Collectors.toCollection(TreeSet::new));
        assertThat(schemaValues("UserErrorCode")).as("schema UserErrorCode values no Java error enum has").isSubsetOf(java);
    }

    @Test
    void usageErrorCodesMatchTheSchema() {
        assertThat(names(UsageErrorCode.class)).as("usage.UsageErrorCode against the schema's UsageErrorCode")
                .containsExactlyInAnyOrderElementsOf(schemaValues("UsageErrorCode"));
    }

    @Test
    void everyPluginCodeIsAUsageErrorCode() {
        // UsagePricer passes a plugin's UsageException.Code on under the same name (UsageErrorCode.valueOf).
        assertThat(names(UsageException.Code.class)).isSubsetOf(names(UsageErrorCode.class));
    }

    @Test
    void fxLoadErrorsMatchTheSchema() {
        assertThat(names(FxLoadError.class)).containsExactlyInAnyOrderElementsOf(schemaValues("FxLoadError"));
    }

    /** The values of a schema enum, with those of its {@code extend enum}s. */
    private static Set<String> schemaValues(String enumName) {
        EnumTypeDefinition base = registry.getType(enumName, EnumTypeDefinition.class).orElseThrow(() -> new AssertionError("no enum " + enumName));
        Set<String> values = base.getEnumValueDefinitions().stream().map(EnumValueDefinition::getName).collect(Collectors.toCollection(TreeSet::new));
        registry.enumTypeExtensions().getOrDefault(enumName, List.of())
                .forEach(extension -> extension.getEnumValueDefinitions().forEach(value -> values.add(value.getName())));
        return values;
    }

    private static Set<String> names(Class<?> enumType) {
        return Arrays.stream(enumType.getEnumConstants()).map(constant -> ((Enum<?>) constant).name()).collect(Collectors.toCollection(TreeSet::new));
    }
}
