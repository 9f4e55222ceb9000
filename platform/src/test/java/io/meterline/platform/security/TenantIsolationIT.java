package io.meterline.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLInputObjectType;
import graphql.schema.GraphQLInputType;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLSchema;
import graphql.schema.GraphQLType;
import graphql.schema.GraphQLTypeUtil;
import io.meterline.platform.alert.AlertRequest;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.invoice.InvoiceStore;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.meterline.platform.webhook.WebhookService;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Organization A's users try every id of organization B on every query and mutation that takes an
 * id: each answer is NOT_FOUND or FORBIDDEN, and no row changes. The schema is read so that a new
 * field taking an id fails this test until it is added here.
 */
class TenantIsolationIT extends ServerTest {

    @Inject
    GraphQLSchema schema;

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    WebhookService webhooks;

    @Inject
    ApplicationEventPublisher<AlertRequest> alertRequests;

    @Inject
    InvoiceStore invoiceStore;

    Rows rows;
    Fixtures.Tenant a;
    Fixtures.Tenant b;
    String bUserId;
    String bEventId;
    String bEndpointId;
    String bDeliveryId;
    String bAlertId;
    /** A tool user of A, signed in with an Account ID. */
    String aToolToken;

    /** An operation aimed at B's ids, by root field name. */
    private final Map<String, String> attacks = new LinkedHashMap<>();

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        // B's webhook endpoint names a host no DNS knows; allowed, it is saved without a lookup.
        properties.put("meterline.webhooks.allowed-hosts", "hooks.tenant-b.test");
        return properties;
    }

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        a = Fixtures.tenant(api, "tenant-a", "UTC");
        b = Fixtures.tenant(api, "tenant-b", "UTC");
        api.usage(b.apiKey(), "{\"events\":[{\"id\":\"b-1\",\"timestamp\":\"2026-05-01T00:00:00Z\",\"provider\":\"images\",\"model\":\"dall-e-3\",\"meters\":{\"images\":1}}]}");
        bUserId = (String) api.graphql(b.adminToken(), "{ viewer { user { id } } }").at("data.viewer.user.id");
        bEventId = (String) api.graphql(b.adminToken(), "{ usageEvents { nodes { id } } }").at("data.usageEvents.nodes.0.id");
        String org = b.organizationId();
        bEndpointId = (String) api.graphql(b.adminToken(), "mutation { webhookEndpointCreate(input: {url: \"https://hooks.tenant-b.test/in\", eventTypes: [\"balance.low\"]}) { webhookEndpoint { id } } }")
                .at("data.webhookEndpointCreate.webhookEndpoint.id");
        webhooks.enqueue(GlobalId.decode(org).orElseThrow().id(), "balance.low", Map.of("balance", "0.5"));
        bDeliveryId = (String) api.graphql(b.adminToken(), "query($id: ID!) { webhookDeliveries(endpointId: $id) { nodes { id } } }", Map.of("id", bEndpointId))
                .at("data.webhookDeliveries.nodes.0.id");
        alertRequests.publishEvent(new AlertRequest(GlobalId.decode(org).orElseThrow().id(), "BUDGET_THRESHOLD", "WARNING", "budget:1:2026-05:80", "B budget", "80 % used", Map.of()));
        bAlertId = (String) api.graphql(b.adminToken(), "{ alerts { nodes { id } } }").at("data.alerts.nodes.0.id");
        // B's invoice of May 2026 (a draft claimed as the month close does).
        long bInvoiceRow = invoiceStore.insertDraft(new InvoiceStore.Draft(GlobalId.decode(org).orElseThrow().id(), java.time.LocalDate.of(2026, 5, 1), 0,
                java.time.LocalDate.of(2026, 6, 1), Instant.parse("2026-05-01T00:00:00Z"), Instant.parse("2026-06-01T00:00:00Z"),
                Instant.parse("2026-06-01T01:00:00Z"), "UTC", "USD", null, Instant.now())).orElseThrow();
        String bInvoice = GlobalId.encode("Invoice", bInvoiceRow);
        attacks.put("invoices", "{ invoices(organizationId: \"" + org + "\") { totalCount } }");
        attacks.put("invoice", "{ invoice(id: \"" + bInvoice + "\") { number } }");
        attacks.put("lateUsageForReview", "{ lateUsageForReview(organizationId: \"" + org + "\") { model } }");
        attacks.put("invoicePeriodClose", "mutation { invoicePeriodClose(input: {organizationId: \"" + org + "\", month: \"2026-05\"}) { invoice { id } } }");
        attacks.put("taxExemptionSet", "mutation { taxExemptionSet(input: {organizationId: \"" + org + "\", exempt: true, reason: \"x\"}) { exempt } }");
        attacks.put("invoicePaymentRecord", "mutation { invoicePaymentRecord(input: {invoiceId: \"" + bInvoice + "\", amount: \"1.00\"}) { invoice { id } } }");
        attacks.put("creditNoteCreate", "mutation { creditNoteCreate(input: {invoiceId: \"" + bInvoice + "\", amount: \"1.00\", reason: \"x\"}) { creditNote { number } } }");
        attacks.put("invoiceMarkUncollectible", "mutation { invoiceMarkUncollectible(input: {invoiceId: \"" + bInvoice + "\"}) { invoice { id } } }");
        attacks.put("invoiceVoid", "mutation { invoiceVoid(input: {invoiceId: \"" + bInvoice + "\"}) { invoice { id } } }");
        attacks.put("node", "{ node(id: \"" + org + "\") { id } }");
        attacks.put("nodes", "{ nodes(ids: [\"" + org + "\", \"" + bUserId + "\", \"" + b.apiKeyId() + "\", \"" + bEventId + "\"]) { id } }");
        attacks.put("apiKeys", "{ apiKeys(organizationId: \"" + org + "\") { nodes { prefix } } }");
        attacks.put("usageSummary", "{ usageSummary(organizationId: \"" + org + "\") { requests } }");
        attacks.put("usageSeries", "{ usageSeries(organizationId: \"" + org + "\") { totals { requests } } }");
        attacks.put("usageBreakdown", "{ usageBreakdown(organizationId: \"" + org + "\", by: MODEL) { totalCount } }");
        attacks.put("usageSessions", "{ usageSessions(organizationId: \"" + org + "\") { totalCount } }");
        attacks.put("usageSession", "{ usageSession(organizationId: \"" + org + "\", key: \"x\") { key } }");
        attacks.put("usageTotals", "{ usageTotals(organizationId: \"" + org + "\") { lifetime { requests } } }");
        attacks.put("customerView", "{ customerView(organizationId: \"" + org + "\") { currentMonth { calls } } }");
        attacks.put("usageEvents", "{ usageEvents(organizationId: \"" + org + "\") { nodes { eventId } } }");
        attacks.put("usageProjection", "{ usageProjection(organizationId: \"" + org + "\") { monthToDateCost { amount } } }");
        attacks.put("usageForecast", "{ usageForecast(organizationId: \"" + org + "\") { totals { likely } } }");
        attacks.put("usagePatterns", "{ usagePatterns(organizationId: \"" + org + "\") { busiestHour } }");
        attacks.put("usageAnomalies", "{ usageAnomalies(organizationId: \"" + org + "\") { anomalies { value } } }");
        attacks.put("usageSuggestions", "{ usageSuggestions(organizationId: \"" + org + "\") { suggestions { title } } }");
        attacks.put("usageNoteSet", "mutation { usageNoteSet(input: {eventId: \"" + bEventId + "\", text: \"planted\"}) { event { eventId } } }");
        attacks.put("usageNoteDelete", "mutation { usageNoteDelete(input: {eventId: \"" + bEventId + "\"}) { event { eventId } } }");
        attacks.put("transactions", "{ transactions(organizationId: \"" + org + "\") { nodes { description } } }");
        attacks.put("userCreate", "mutation { userCreate(input: {organizationId: \"" + org + "\", email: \"intruder@a.test\", password: \"intruder-password-1\", role: ORG_ADMIN}) { user { id } } }");
        attacks.put("apiKeyCreate", "mutation { apiKeyCreate(input: {organizationId: \"" + org + "\", label: \"stolen\"}) { secret } }");
        attacks.put("apiKeyRevoke", "mutation { apiKeyRevoke(input: {id: \"" + b.apiKeyId() + "\"}) { apiKey { status } } }");
        attacks.put("usageRecord", "mutation { usageRecord(input: {organizationId: \"" + org + "\", events: [{id: \"forged\", timestamp: \"2026-05-01T00:00:00Z\","
                + " provider: \"images\", model: \"dall-e-3\", meters: {images: 1000}}]}) { results { outcome } } }");
        String planId = (String) api.graphql(api.adminToken(), "{ plans { id } }").at("data.plans.0.id");
        attacks.put("balance", "{ balance(organizationId: \"" + org + "\") { current { amount } } }");
        attacks.put("ledgerEntries", "{ ledgerEntries(organizationId: \"" + org + "\") { nodes { amount } } }");
        attacks.put("balanceSettingsUpdate", "mutation { balanceSettingsUpdate(input: {organizationId: \"" + org + "\", lowBalanceThreshold: \"0\"}) { balance { state } } }");
        attacks.put("ledgerEntryCreate", "mutation { ledgerEntryCreate(input: {organizationId: \"" + org + "\", kind: GRANT, account: CREDITS, amount: \"1000\","
                + " reason: \"stolen\"}) { entry { id } } }");
        attacks.put("organizationPlanSet", "mutation { organizationPlanSet(input: {organizationId: \"" + org + "\", planId: \"" + planId + "\"}) { balance { state } } }");
        attacks.put("planUpdate", "mutation { planUpdate(input: {id: \"" + planId + "\", monthlyTokens: 999999}) { plan { name } } }");
        String bBudgetId = (String) api.graphql(b.adminToken(), "mutation { budgetCreate(input: {name: \"b-budget\", metric: REQUESTS, period: DAY, limit: \"5\"}) { budget { id } } }")
                .at("data.budgetCreate.budget.id");
        attacks.put("budgets", "{ budgets(organizationId: \"" + org + "\") { nodes { name } } }");
        attacks.put("budgetBands", "{ budgetBands(organizationId: \"" + org + "\") { name } }");
        attacks.put("budgetCreate", "mutation { budgetCreate(input: {organizationId: \"" + org + "\", name: \"stolen\", metric: TOKENS, period: DAY}) { budget { id } } }");
        attacks.put("budgetUpdate", "mutation { budgetUpdate(input: {id: \"" + bBudgetId + "\", limit: \"1000000\"}) { budget { limit } } }");
        attacks.put("budgetArchive", "mutation { budgetArchive(input: {id: \"" + bBudgetId + "\"}) { budget { archived } } }");
        attacks.put("budgetBandsUpdate", "mutation { budgetBandsUpdate(input: {organizationId: \"" + org + "\", bands: [{name: \"all\", fromPercent: 0}]}) { bands { name } } }");
        attacks.put("usageAuthorize", "mutation { usageAuthorize(input: {organizationId: \"" + org + "\", provider: \"openai\", model: \"gpt-4o\", estimate: {requests: 1}})"
                + " { authorization { reservationId } } }");
        attacks.put("usageAuthorizeWithForeignKey", "mutation { usageAuthorize(input: {apiKeyId: \"" + b.apiKeyId() + "\", provider: \"openai\", model: \"gpt-4o\","
                + " estimate: {requests: 1}}) { authorization { reservationId } } }");
        attacks.put("alertSettings", "{ alertSettings(organizationId: \"" + org + "\") { email } }");
        attacks.put("alertSettingsUpdate", "mutation { alertSettingsUpdate(input: {organizationId: \"" + org + "\", enabled: true, email: \"thief@a.test\"}) { alertSettings { email } } }");
        attacks.put("webhookEndpoints", "{ webhookEndpoints(organizationId: \"" + org + "\") { url } }");
        attacks.put("webhookDeliveries", "{ webhookDeliveries(endpointId: \"" + bEndpointId + "\") { nodes { payload } } }");
        attacks.put("webhookEndpointCreate", "mutation { webhookEndpointCreate(input: {organizationId: \"" + org + "\", url: \"https://thief.a.test\", eventTypes: [\"balance.low\"]}) { secret } }");
        attacks.put("webhookEndpointDelete", "mutation { webhookEndpointDelete(input: {id: \"" + bEndpointId + "\"}) { webhookEndpoint { url } } }");
        attacks.put("webhookDeliveryReplay", "mutation { webhookDeliveryReplay(input: {id: \"" + bDeliveryId + "\"}) { webhookDelivery { payload } } }");
        attacks.put("alerts", "{ alerts(organizationId: \"" + org + "\") { nodes { id subject } } }");
        attacks.put("activeAlertCount", "{ activeAlertCount(organizationId: \"" + org + "\") }");
        attacks.put("alertAcknowledge", "mutation { alertAcknowledge(input: {id: \"" + bAlertId + "\"}) { alert { acknowledgedAt } } }");
        long bRow = GlobalId.decode(org).orElseThrow().id();
        rows.execute("INSERT INTO invitation (organization_id, email, role, token_hash, invited_by, created_at, expires_at) VALUES (?, ?, 'ORG_MEMBER', ?, ?, ?, ?)",
                bRow, "invitee@tenant-b.test", Secrets.sha256("b-invitation-token"), b.adminEmail(), Timestamp.from(Instant.now()), Timestamp.from(Instant.now().plusSeconds(3600)));
        String bInvitationId = GlobalId.encode("Invitation", rows.count("SELECT id FROM invitation WHERE organization_id = ?", bRow));
        String bMemberId = (String) api.graphql(b.memberToken(), "{ viewer { user { id } } }").at("data.viewer.user.id");
        api.graphql(b.adminToken(), "mutation { companyDetailsUpdate(input: {companyName: \"tenant-b company\", country: \"CA\"}) { userErrors { code } } }");
        attacks.put("companyDetails", "{ companyDetails(organizationId: \"" + org + "\") { companyName } }");
        attacks.put("companyDetailsUpdate", "mutation { companyDetailsUpdate(input: {organizationId: \"" + org + "\", companyName: \"stolen\", country: \"CA\"})"
                + " { companyDetails { companyName } } }");
        attacks.put("invitations", "{ invitations(organizationId: \"" + org + "\") { nodes { email } } }");
        attacks.put("memberInvite", "mutation { memberInvite(input: {organizationId: \"" + org + "\", email: \"spy@a.test\", role: ORG_ADMIN}) { invitation { id } } }");
        attacks.put("invitationRevoke", "mutation { invitationRevoke(input: {id: \"" + bInvitationId + "\"}) { invitation { email } } }");
        attacks.put("memberRoleUpdate", "mutation { memberRoleUpdate(input: {userId: \"" + bMemberId + "\", role: ORG_ADMIN}) { user { email } } }");
        attacks.put("nodesOfPeople", "{ nodes(ids: [\"" + bInvitationId + "\", \"" + bMemberId + "\"]) { id } }");
        String bAccountId = (String) api.graphql(b.adminToken(), "mutation { accountIdCreate(input: {code: \"B-BAY-01\", label: \"B bay\", dailyTokenLimit: 500}) { accountId { id } } }")
                .at("data.accountIdCreate.accountId.id");
        String bTeamId = (String) api.graphql(b.adminToken(), "mutation { attributionGroupCreate(input: {kind: TEAM, key: \"b-team\", name: \"B team\"}) { attributionGroup { id } } }")
                .at("data.attributionGroupCreate.attributionGroup.id");
        api.graphql(b.adminToken(), "mutation { businessRulesSave(input: {text: \"B rules\"}) { userErrors { code } } }");
        api.graphql(a.adminToken(), "mutation { accountIdCreate(input: {code: \"A-TOOL-01\", label: \"A tool\"}) { accountId { id } } }");
        aToolToken = (String) api.graphql(null, "mutation { accountIdSignIn(input: {organization: \"tenant-a\", code: \"A-TOOL-01\"}) { accessToken } }")
                .at("data.accountIdSignIn.accessToken");
        String aUserId = (String) api.graphql(a.memberToken(), "{ viewer { user { id } } }").at("data.viewer.user.id");
        attacks.put("accountIds", "{ accountIds(organizationId: \"" + org + "\") { nodes { code } } }");
        attacks.put("accountIdOverview", "{ accountIdOverview(organizationId: \"" + org + "\") { activeCount } }");
        attacks.put("accountIdGenerateCode", "{ accountIdGenerateCode(organizationId: \"" + org + "\") }");
        attacks.put("accountIdCreate", "mutation { accountIdCreate(input: {organizationId: \"" + org + "\", code: \"STOLEN-01\", label: \"x\"}) { accountId { id } } }");
        attacks.put("accountIdUpdate", "mutation { accountIdUpdate(input: {id: \"" + bAccountId + "\", unlimited: true}) { accountId { code } } }");
        attacks.put("accountIdSuspend", "mutation { accountIdSuspend(input: {id: \"" + bAccountId + "\"}) { accountId { code } } }");
        attacks.put("accountIdReactivate", "mutation { accountIdReactivate(input: {id: \"" + bAccountId + "\"}) { accountId { code } } }");
        attacks.put("accountIdArchive", "mutation { accountIdArchive(input: {id: \"" + bAccountId + "\"}) { accountId { code } } }");
        attacks.put("accountIdNode", "{ node(id: \"" + bAccountId + "\") { ... on AccountId { code } } }");
        attacks.put("attributionGroups", "{ attributionGroups(organizationId: \"" + org + "\") { nodes { key } } }");
        attacks.put("unassignedAttributionKeys", "{ unassignedAttributionKeys(organizationId: \"" + org + "\", kind: TEAM) { key } }");
        attacks.put("attributionGroupCreate", "mutation { attributionGroupCreate(input: {organizationId: \"" + org + "\", kind: TEAM, key: \"stolen\"}) { attributionGroup { id } } }");
        attacks.put("attributionGroupRename", "mutation { attributionGroupRename(input: {id: \"" + bTeamId + "\", name: \"stolen\"}) { attributionGroup { name } } }");
        attacks.put("attributionGroupArchive", "mutation { attributionGroupArchive(input: {id: \"" + bTeamId + "\"}) { attributionGroup { name } } }");
        attacks.put("attributionMemberAdd", "mutation { attributionMemberAdd(input: {groupId: \"" + bTeamId + "\", userId: \"" + aUserId + "\"}) { attributionGroup { name } } }");
        attacks.put("attributionMemberRemove", "mutation { attributionMemberRemove(input: {groupId: \"" + bTeamId + "\", userId: \"" + bUserId + "\"}) { attributionGroup { name } } }");
        attacks.put("businessRules", "{ businessRules(organizationId: \"" + org + "\") { text } }");
        attacks.put("businessRulesSave", "mutation { businessRulesSave(input: {organizationId: \"" + org + "\", text: \"stolen\"}) { businessRules { text } } }");
        attacks.put("businessRulesClear", "mutation { businessRulesClear(input: {organizationId: \"" + org + "\"}) { businessRules { text } } }");
        String bReportId = (String) api.graphql(b.adminToken(), "{ usageReports(first: 1) { nodes { id } } }").at("data.usageReports.nodes.0.id");
        attacks.put("usageReports", "{ usageReports(organizationId: \"" + org + "\") { totalCount nodes { tokens } } }");
        attacks.put("usageReport", "{ usageReport(id: \"" + bReportId + "\") { tokens } }");
        attacks.put("usageReportNode", "{ node(id: \"" + bReportId + "\") { ... on UsageReport { tokens } } }");
        attacks.put("usageReportCustom", "{ usageReportCustom(organizationId: \"" + org + "\", range: {preset: CURRENT_MONTH}) { totals { tokens } } }");
        attacks.put("billing", "{ billing(organizationId: \"" + org + "\") { plan { name } tokensUsedThisMonth } }");
        attacks.put("subscriptionCheckoutCreate", "mutation { subscriptionCheckoutCreate(input: {organizationId: \"" + org + "\", planId: \"UGxhbjox\"}) { url } }");
        attacks.put("topUpCheckoutCreate", "mutation { topUpCheckoutCreate(input: {organizationId: \"" + org + "\", packId: \"USD-1000000\"}) { url } }");
        attacks.put("creditsCheckoutCreate", "mutation { creditsCheckoutCreate(input: {organizationId: \"" + org + "\", amount: \"10\"}) { url } }");
        attacks.put("billingPortalSessionCreate", "mutation { billingPortalSessionCreate(input: {organizationId: \"" + org + "\"}) { url } }");
        String bCostCenterId = (String) api.graphql(b.adminToken(), "mutation { costCenterCreate(input: {code: \"B-CC\", name: \"B center\"}) { costCenter { id } } }")
                .at("data.costCenterCreate.costCenter.id");
        String bRuleId = (String) api.graphql(b.adminToken(), "mutation { allocationRuleSet(input: {dimension: TEAM, value: \"b-team\", splits: [{costCenterId: \""
                + bCostCenterId + "\", percent: \"100\"}]}) { allocationRule { id } } }").at("data.allocationRuleSet.allocationRule.id");
        attacks.put("costCenters", "{ costCenters(organizationId: \"" + org + "\") { nodes { code } } }");
        attacks.put("allocationRules", "{ allocationRules(organizationId: \"" + org + "\") { nodes { value } } }");
        attacks.put("costAllocation", "{ costAllocation(organizationId: \"" + org + "\") { total { requests } } }");
        attacks.put("costCenterCreate", "mutation { costCenterCreate(input: {organizationId: \"" + org + "\", code: \"STOLEN\", name: \"x\"}) { costCenter { id } } }");
        attacks.put("costCenterUpdate", "mutation { costCenterUpdate(input: {id: \"" + bCostCenterId + "\", name: \"stolen\"}) { costCenter { code } } }");
        attacks.put("costCenterArchive", "mutation { costCenterArchive(input: {id: \"" + bCostCenterId + "\"}) { costCenter { code } } }");
        attacks.put("allocationRuleSet", "mutation { allocationRuleSet(input: {organizationId: \"" + org + "\", dimension: TEAM, value: \"b-team\", splits: [{costCenterId: \""
                + bCostCenterId + "\", percent: \"100\"}]}) { allocationRule { value } } }");
        attacks.put("allocationRuleDelete", "mutation { allocationRuleDelete(input: {id: \"" + bRuleId + "\"}) { allocationRule { value } } }");
        attacks.put("costCenterNode", "{ nodes(ids: [\"" + bCostCenterId + "\", \"" + bRuleId + "\"]) { id } }");
        attacks.put("organizationPricingUpdate", "mutation { organizationPricingUpdate(input: {organizationId: \"" + org + "\", costFactor: \"0\"}) { organization { costFactor } } }");
        attacks.put("billingCurrencyChange", "mutation { billingCurrencyChange(input: {organizationId: \"" + org + "\", currencyCode: \"EUR\"}) { organization { billingCurrency } } }");
    }

    @Test
    void everyFieldTakingAnIdIsCovered() {
        Set<String> takingIds = new TreeSet<>();
        for (GraphQLObjectType root : List.of(schema.getQueryType(), schema.getMutationType())) {
            for (GraphQLFieldDefinition field : root.getFieldDefinitions()) {
                if (field.getArguments().stream().anyMatch(argument -> takesId(argument.getType(), 0))) {
                    takingIds.add(field.getName());
                }
            }
        }
        assertThat(attacks.keySet()).containsAll(takingIds);
    }

    @Test
    void organizationAUsersReachNothingOfOrganizationB() {
        long events = rows.count("SELECT COUNT(*) FROM usage_event");
        long users = rows.count("SELECT COUNT(*) FROM app_user");
        long keys = rows.count("SELECT COUNT(*) FROM api_key WHERE status = 'ACTIVE'");
        String costFactor = String.valueOf(rows.value("SELECT cost_factor FROM organization WHERE slug = 'tenant-b'"));
        long ledgerEntries = rows.count("SELECT COUNT(*) FROM ledger_entry");
        long notes = rows.count("SELECT COUNT(*) FROM usage_note");
        long planTokens = rows.count("SELECT SUM(monthly_tokens) FROM plan");
        long budgets = rows.count("SELECT COUNT(*) FROM budget");
        String budgetState = String.valueOf(rows.value("SELECT CONCAT(limit_amount, archived) FROM budget b JOIN organization o ON o.id = b.organization_id WHERE o.slug = 'tenant-b'"));
        long reservations = rows.count("SELECT COUNT(*) FROM budget_reservation");
        long bands = rows.count("SELECT COUNT(*) FROM budget_band");
        long endpoints = rows.count("SELECT COUNT(*) FROM webhook_endpoint WHERE deleted_at IS NULL");
        long deliveries = rows.count("SELECT COUNT(*) FROM webhook_delivery");
        long alertSettings = rows.count("SELECT COUNT(*) FROM alert_settings");
        String companyDetails = String.valueOf(rows.value("SELECT company_name FROM company_details"));
        long openInvitations = rows.count("SELECT COUNT(*) FROM invitation WHERE revoked_at IS NULL");
        long admins = rows.count("SELECT COUNT(*) FROM app_user WHERE role = 'ORG_ADMIN'");
        String accountIdState = String.valueOf(rows.value("SELECT CONCAT(status, label, daily_token_limit) FROM account_id WHERE code = 'B-BAY-01'"));
        long accountIds = rows.count("SELECT COUNT(*) FROM account_id");
        String groupState = String.valueOf(rows.value("SELECT CONCAT(name, archived) FROM attribution_group WHERE group_key = 'b-team'"));
        long groups = rows.count("SELECT COUNT(*) FROM attribution_group");
        long members = rows.count("SELECT COUNT(*) FROM attribution_member");
        String rules = String.valueOf(rows.value("SELECT content FROM business_rules"));
        String costCenterState = String.valueOf(rows.value("SELECT CONCAT(code, name, archived) FROM cost_center"));
        long allocationRules = rows.count("SELECT COUNT(*) FROM allocation_rule");
        long allocationSplits = rows.count("SELECT COUNT(*) FROM allocation_split");
        for (String token : List.of(a.adminToken(), a.memberToken(), aToolToken)) {
            for (Map.Entry<String, String> attack : attacks.entrySet()) {
                TestApi.Response response = api.graphql(token, attack.getValue());
                assertThat(response.pluck("errors", "message")).as(attack.getKey() + ": " + response.body()).isNotEmpty();
                assertThat(response.pluck("errors", "extensions")).as(attack.getKey() + ": " + response.body())
                        .allSatisfy(extensions -> assertThat(((Map<?, ?>) extensions).get("code")).isIn("NOT_FOUND", "FORBIDDEN"));
                assertThat(response.body()).as(attack.getKey()).doesNotContain(b.apiKey().substring(0, 16)).doesNotContain("b-1").doesNotContain("tenant-b")
                        .doesNotContain("B-BAY-01").doesNotContain("B rules").doesNotContain("b-team");
            }
        }
        assertThat(rows.count("SELECT COUNT(*) FROM usage_event")).isEqualTo(events);
        assertThat(rows.count("SELECT COUNT(*) FROM app_user")).isEqualTo(users);
        assertThat(rows.count("SELECT COUNT(*) FROM api_key WHERE status = 'ACTIVE'")).isEqualTo(keys);
        assertThat(String.valueOf(rows.value("SELECT cost_factor FROM organization WHERE slug = 'tenant-b'"))).isEqualTo(costFactor);
        assertThat(rows.count("SELECT COUNT(*) FROM ledger_entry")).isEqualTo(ledgerEntries);
        assertThat(rows.count("SELECT COUNT(*) FROM usage_note")).isEqualTo(notes).isZero();
        assertThat(rows.count("SELECT SUM(monthly_tokens) FROM plan")).isEqualTo(planTokens);
        assertThat(rows.count("SELECT COUNT(*) FROM ledger_balance WHERE low_threshold = 0")).isZero();
        assertThat(rows.count("SELECT COUNT(*) FROM budget")).isEqualTo(budgets);
        assertThat(String.valueOf(rows.value("SELECT CONCAT(limit_amount, archived) FROM budget b JOIN organization o ON o.id = b.organization_id WHERE o.slug = 'tenant-b'")))
                .isEqualTo(budgetState);
        assertThat(rows.count("SELECT COUNT(*) FROM budget_reservation")).isEqualTo(reservations);
        assertThat(rows.count("SELECT COUNT(*) FROM budget_band")).isEqualTo(bands);
        assertThat(rows.count("SELECT COUNT(*) FROM webhook_endpoint WHERE deleted_at IS NULL")).isEqualTo(endpoints);
        assertThat(rows.count("SELECT COUNT(*) FROM webhook_delivery")).isEqualTo(deliveries);
        assertThat(rows.count("SELECT COUNT(*) FROM alert_settings")).isEqualTo(alertSettings);
        assertThat(rows.count("SELECT COUNT(*) FROM company_details")).isEqualTo(1);
        assertThat(String.valueOf(rows.value("SELECT company_name FROM company_details"))).isEqualTo(companyDetails).isEqualTo("tenant-b company");
        assertThat(rows.count("SELECT COUNT(*) FROM invitation")).isEqualTo(1);
        assertThat(rows.count("SELECT COUNT(*) FROM invitation WHERE revoked_at IS NULL")).isEqualTo(openInvitations).isEqualTo(1);
        assertThat(rows.count("SELECT COUNT(*) FROM app_user WHERE role = 'ORG_ADMIN'")).isEqualTo(admins);
        assertThat(String.valueOf(rows.value("SELECT CONCAT(status, label, daily_token_limit) FROM account_id WHERE code = 'B-BAY-01'"))).isEqualTo(accountIdState);
        assertThat(rows.count("SELECT COUNT(*) FROM account_id")).isEqualTo(accountIds);
        assertThat(String.valueOf(rows.value("SELECT CONCAT(name, archived) FROM attribution_group WHERE group_key = 'b-team'"))).isEqualTo(groupState);
        assertThat(rows.count("SELECT COUNT(*) FROM attribution_group")).isEqualTo(groups);
        assertThat(rows.count("SELECT COUNT(*) FROM attribution_member")).isEqualTo(members);
        assertThat(String.valueOf(rows.value("SELECT content FROM business_rules"))).isEqualTo(rules).isEqualTo("B rules");
        assertThat(rows.count("SELECT COUNT(*) FROM cost_center")).isEqualTo(1);
        assertThat(String.valueOf(rows.value("SELECT CONCAT(code, name, archived) FROM cost_center"))).isEqualTo(costCenterState);
        assertThat(rows.count("SELECT COUNT(*) FROM allocation_rule")).isEqualTo(allocationRules).isEqualTo(1);
        assertThat(rows.count("SELECT COUNT(*) FROM allocation_split")).isEqualTo(allocationSplits).isEqualTo(1);
        assertThat(rows.count("SELECT COUNT(*) FROM invoice WHERE status = 'DRAFT'")).isEqualTo(rows.count("SELECT COUNT(*) FROM invoice")).isEqualTo(1);
        assertThat(rows.count("SELECT COUNT(*) FROM invoice_payment") + rows.count("SELECT COUNT(*) FROM credit_note") + rows.count("SELECT COUNT(*) FROM tax_exemption"))
                .isZero();
        assertThat(rows.count("SELECT COUNT(*) FROM billing_checkout")).isZero();
        assertThat(rows.count("SELECT COUNT(*) FROM billing_customer")).isZero();
        assertThat(rows.count("SELECT COUNT(*) FROM organization_billing_currency")).isZero();
        assertThat(bAlertId).isNotNull();
        assertThat(rows.count("SELECT COUNT(*) FROM alert WHERE acknowledged_at IS NULL")).isEqualTo(1);
        assertThat(api.graphql(a.adminToken(), "{ organizations { totalCount } }").at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(api.graphql(a.adminToken(), "{ apiKeys { totalCount } }").at("data.apiKeys.totalCount")).isEqualTo(1);
    }

    @Test
    void theNodeOfAnotherOrganizationLooksExactlyLikeAMissingOne() {
        TestApi.Response foreign = api.graphql(a.adminToken(), "{ node(id: \"" + bEventId + "\") { id } }");
        TestApi.Response missing = api.graphql(a.adminToken(), "{ node(id: \"VXNhZ2VFdmVudDo5OTk5OTk\") { id } }");
        assertThat(foreign.at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
        assertThat(missing.at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
        TestApi.Response own = api.graphql(b.adminToken(), "{ node(id: \"" + bEventId + "\") { id ... on UsageEvent { eventId } } }");
        assertThat(own.at("data.node.eventId")).isEqualTo("b-1");
    }

    private static boolean takesId(GraphQLInputType type, int depth) {
        GraphQLType unwrapped = GraphQLTypeUtil.unwrapAll(type);
        if (unwrapped instanceof GraphQLInputObjectType input) {
            return depth < 3 && input.getFieldDefinitions().stream().anyMatch(field -> takesId(field.getType(), depth + 1));
        }
        return "ID".equals(GraphQLTypeUtil.simplePrint(unwrapped));
    }
}
