package io.meterline.platform.http;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;

/** A route that fails the way a bug would, so a test can see what a 5xx tells the client. Only in tests that ask for it. */
@Controller("/test-only/failure")
@Requires(property = "meterline.test.failing-controller", value = "true")
@Secured(SecurityRule.IS_ANONYMOUS)
public class FailingController {

    /** A message, class and bean path that must never reach the client. */
    static final String SECRET_DETAIL = "jdbc:mysql://db.internal:3306/meterline password=hunter2 at io.meterline.platform.budget.BudgetStore";

    @Get
    public String fail() {
        throw new IllegalStateException(SECRET_DETAIL);
    }
}
