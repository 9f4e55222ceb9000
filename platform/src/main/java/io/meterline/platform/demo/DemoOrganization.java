package io.meterline.platform.demo;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * One demo organization and the shape of its synthetic usage. The three organizations differ in
 * currency, time zone (one with a half-hour offset), opening hours and provider mix, so dashboards
 * show real differences between tenants.
 *
 * @param name the display name
 * @param slug the unique slug; its existence marks the organization as already seeded
 * @param billingCurrency the ISO 4217 billing currency
 * @param timeZone the IANA zone its days and business hours are read in
 * @param seed the random seed, fixed so every fresh database gets the same usage pattern
 * @param weekdayEvents events on an average weekday at the start of the 90 days
 * @param saturdayFactor Saturday's share of a weekday's volume
 * @param openHour the local hour the working day starts
 * @param closeHour the local hour the working day ends
 * @param accountIdPrefix the prefix of its {@code account_id} codes, such as {@code BAY}
 * @param closingBalance the credit balance, in its currency, a purchase leaves after the seeded usage (below 1.00: a LOW balance)
 * @param members the people whose calls are recorded
 * @param projects the projects calls are booked to
 * @param providerWeights relative share of each provider id in its traffic
 */
record DemoOrganization(
        String name,
        String slug,
        String billingCurrency,
        String timeZone,
        long seed,
        int weekdayEvents,
        double saturdayFactor,
        int openHour,
        int closeHour,
        String accountIdPrefix,
        BigDecimal closingBalance,
        List<Member> members,
        List<String> projects,
        Map<String, Integer> providerWeights) {

    /** The password of every demo organization user: 12 characters or more, as the account rules require. */
    static final String USER_PASSWORD = "demo-password-1";

    /**
     * A person and where they sit.
     *
     * @param name the {@code member} dimension
     * @param team the {@code team} dimension
     * @param department the {@code department} dimension
     */
    record Member(String name, String team, String department) {
    }

    String adminEmail() {
        return "admin@" + slug + ".demo";
    }

    String memberEmail() {
        return "member@" + slug + ".demo";
    }

    /** The three demo organizations. */
    static List<DemoOrganization> all() {
        return List.of(
                new DemoOrganization("Northwind Dental", "northwind", "CAD", "America/Toronto", 20_240_101L, 95, 0.3, 8, 18, "BAY", new BigDecimal("240"),
                        List.of(
                                new Member("amelia.chen", "front-desk", "patient-care"),
                                new Member("liam.tremblay", "front-desk", "patient-care"),
                                new Member("dr.sofia.roy", "hygiene", "clinical"),
                                new Member("dr.noah.gagnon", "orthodontics", "clinical"),
                                new Member("olivia.martin", "billing", "finance"),
                                new Member("ethan.wong", "billing", "finance"),
                                new Member("maya.singh", "marketing", "growth")),
                        List.of("ai-receptionist", "recall-reminders", "treatment-notes", "insurance-claims"),
                        Map.of("openai", 38, "anthropic", 22, "elevenlabs", 14, "smartflo", 12, "images", 8, "flat-token", 6)),
                new DemoOrganization("Kolkata Call Centre", "kolkata-calls", "USD", "Asia/Kolkata", 20_240_202L, 125, 0.6, 9, 21, "DESK", new BigDecimal("1200"),
                        List.of(
                                new Member("arjun.banerjee", "inbound", "operations"),
                                new Member("priya.das", "inbound", "operations"),
                                new Member("rahul.ghosh", "outbound", "sales"),
                                new Member("ananya.sen", "outbound", "sales"),
                                new Member("sourav.roy", "quality", "operations"),
                                new Member("meera.iyer", "quality", "operations"),
                                new Member("kabir.mukherjee", "workforce", "planning"),
                                new Member("isha.chatterjee", "training", "people")),
                        List.of("telecom-client", "insurance-client", "ecommerce-client", "internal-qa"),
                        Map.of("smartflo", 30, "openai", 24, "elevenlabs", 18, "anthropic", 14, "flat-token", 10, "images", 4)),
                new DemoOrganization("Berlin Studio", "berlin-studio", "EUR", "Europe/Berlin", 20_240_303L, 80, 0.2, 9, 19, "ROOM", new BigDecimal("0.75"),
                        List.of(
                                new Member("lena.schmidt", "design", "creative"),
                                new Member("jonas.weber", "design", "creative"),
                                new Member("mia.fischer", "copy", "creative"),
                                new Member("felix.wagner", "engineering", "technology"),
                                new Member("hannah.becker", "engineering", "technology"),
                                new Member("paul.hoffmann", "accounts", "client-services")),
                        List.of("brand-refresh", "product-launch", "podcast-voiceover", "website-rebuild"),
                        Map.of("images", 28, "anthropic", 26, "openai", 20, "elevenlabs", 14, "flat-token", 8, "smartflo", 4)));
    }
}
