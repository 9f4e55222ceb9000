package io.meterline.platform.businessrules;

import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;

/**
 * Reads, saves and clears an organization's business rules. Everyone of the organization reads
 * them, tool users signed in with an Account ID included (their tools apply them); organization
 * admins change them. The text is limited to 64 KiB of UTF-8.
 */
@Singleton
public class BusinessRulesService {

    /** 64 KiB, counted in UTF-8 bytes as stored. */
    static final int MAX_BYTES = 64 * 1024;

    private final BusinessRulesRepository rules;
    private final TenantScope tenantScope;
    private final Clock clock;

    public BusinessRulesService(BusinessRulesRepository rules, TenantScope tenantScope, Clock clock) {
        this.rules = rules;
        this.tenantScope = tenantScope;
        this.clock = clock;
    }

    /** The organization's rules, empty when never saved. */
    public Optional<BusinessRules> read(Viewer viewer, @Nullable String organizationId) {
        return rules.findById(tenantScope.organizationFor(viewer, organizationId));
    }

    @Transactional
    public BusinessRules save(Viewer viewer, @Nullable String organizationId, @Nullable String text) {
        long organization = tenantScope.organizationToManage(viewer, organizationId);
        if (text == null || text.isBlank()) {
            throw new UserInputException(UserError.of("text", BusinessRulesErrorCode.BLANK, "Paste the default service intervals, or clear the rules instead"));
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new UserInputException(UserError.of("text", BusinessRulesErrorCode.LENGTH, "Business rules are at most 64 KiB; this text is " + bytes + " bytes"));
        }
        return store(new BusinessRules(organization, text, viewer.email(), clock.instant()));
    }

    @Transactional
    public BusinessRules clear(Viewer viewer, @Nullable String organizationId) {
        long organization = tenantScope.organizationToManage(viewer, organizationId);
        return store(new BusinessRules(organization, null, viewer.email(), clock.instant()));
    }

    private BusinessRules store(BusinessRules value) {
        return rules.existsById(value.organizationId()) ? rules.update(value) : rules.save(value);
    }
}
