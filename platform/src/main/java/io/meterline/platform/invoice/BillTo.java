package io.meterline.platform.invoice;

import io.micronaut.core.annotation.Nullable;

/** The BILL TO block an invoice copied from the company details when it was finalized. */
public record BillTo(String company, @Nullable String contact, @Nullable String email, @Nullable String phone, @Nullable String addressLine1,
                     @Nullable String addressLine2, @Nullable String city, @Nullable String region, @Nullable String postalCode, String country) {
}
