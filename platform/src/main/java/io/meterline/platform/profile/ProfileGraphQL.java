package io.meterline.platform.profile;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.graphql.BatchLoaders;
import io.meterline.platform.graphql.Connection;
import io.meterline.platform.graphql.GraphQLContextKeys;
import io.meterline.platform.graphql.GraphQLWiring;
import io.meterline.platform.graphql.NodeLoader;
import io.meterline.platform.graphql.Payloads;
import io.meterline.platform.graphql.SharedLoaders;
import io.meterline.platform.security.CredentialService;
import io.meterline.platform.security.Owner;
import io.meterline.platform.security.PasswordPolicy;
import io.meterline.platform.security.Role;
import io.meterline.platform.security.Sessions;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.time.ViewerZones;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * GraphQL wiring of the profile, company details, members and invitations, and the security
 * settings (password policy, password and email changes). Translates arguments and payloads only;
 * the rules live in the services.
 */
@Singleton
public class ProfileGraphQL implements GraphQLWiring {

    private static final List<String> TIME_ZONES = ZoneId.getAvailableZoneIds().stream().sorted().toList();

    private final ProfileService profiles;
    private final ViewerZones zones;
    private final CompanyDetailsService companyDetails;
    private final MemberService members;
    private final CredentialService credentials;
    private final PasswordPolicy passwordPolicy;
    private final Clock clock;

    public ProfileGraphQL(ProfileService profiles, ViewerZones zones, CompanyDetailsService companyDetails, MemberService members, CredentialService credentials,
                          PasswordPolicy passwordPolicy, Clock clock) {
        this.profiles = profiles;
        this.zones = zones;
        this.companyDetails = companyDetails;
        this.members = members;
        this.credentials = credentials;
        this.passwordPolicy = passwordPolicy;
        this.clock = clock;
    }

    @Override
    public void wire(RuntimeWiring.Builder wiring) {
        wiring.type("Query", type -> type
                .dataFetcher("profile", environment -> profiles.read(viewer(environment)))
                .dataFetcher("companyDetails", environment -> companyDetails.read(viewer(environment), environment.getArgument("organizationId")).orElse(null))
                .dataFetcher("passwordPolicy", environment -> passwordPolicy)
                .dataFetcher("timeZones", environment -> TIME_ZONES)
                .dataFetcher("invitations", this::invitationPage));
        wiring.type("Mutation", type -> type
                .dataFetcher("profileUpdate", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("profile", () -> profiles.update(viewer(environment), new ProfileService.Update(
                            input.containsKey("displayName"), (String) input.get("displayName"),
                            input.containsKey("phone"), (String) input.get("phone"),
                            input.containsKey("timeZone"), (String) input.get("timeZone"))));
                })
                .dataFetcher("companyDetailsUpdate", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("companyDetails", () -> companyDetails.save(viewer(environment), new CompanyDetailsService.Input(
                            (String) input.get("organizationId"), (String) input.get("companyName"), (String) input.get("contactName"),
                            (String) input.get("billingEmail"), (String) input.get("billingPhone"), (String) input.get("addressLine1"),
                            (String) input.get("addressLine2"), (String) input.get("city"), (String) input.get("region"),
                            (String) input.get("postalCode"), (String) input.get("country"))));
                })
                .dataFetcher("memberInvite", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("invitation", () -> members.invite(viewer(environment), new MemberService.NewInvitation(
                            (String) input.get("organizationId"), (String) input.get("email"), role(input.get("role")), (String) input.get("displayName"))));
                })
                .dataFetcher("invitationRevoke", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("invitation", () -> members.revoke(viewer(environment), (String) input.get("id")));
                })
                .dataFetcher("invitationAccept", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("user", () -> members.accept((String) input.get("token"), (String) input.get("password"), (String) input.get("displayName")));
                })
                .dataFetcher("memberRoleUpdate", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("user", () -> members.changeRole(viewer(environment), (String) input.get("userId"), role(input.get("role"))));
                })
                .dataFetcher("passwordChange", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.fields(() -> {
                        Sessions.Tokens tokens = credentials.changePassword(viewer(environment), (String) input.get("currentPassword"), (String) input.get("newPassword"));
                        Map<String, Object> payload = new HashMap<>();
                        payload.put("accessToken", tokens.accessToken());
                        payload.put("refreshToken", tokens.refreshToken());
                        payload.put("expiresIn", tokens.expiresIn());
                        return payload;
                    });
                })
                .dataFetcher("emailChangeRequest", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("pendingEmail", () -> credentials.requestEmailChange(viewer(environment), (String) input.get("newEmail"),
                            (String) input.get("currentPassword")));
                })
                .dataFetcher("emailChangeConfirm", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("email", () -> credentials.confirmEmailChange((String) input.get("token")));
                }));
        wiring.type("Viewer", type -> type
                .dataFetcher("timeZone", environment -> {
                    Viewer viewer = viewer(environment);
                    return zones.zoneFor(viewer.userId(), viewer.organizationId()).getId();
                }));
        wiring.type("Profile", type -> type
                .dataFetcher("displayName", environment -> environment.<ProfileService.Profile>getSource().user().displayName())
                .dataFetcher("email", environment -> environment.<ProfileService.Profile>getSource().user().email())
                .dataFetcher("pendingEmail", environment -> profiles.pendingEmail(viewer(environment)).orElse(null)));
        wiring.type("PasswordPolicy", type -> type
                .dataFetcher("minLength", environment -> PasswordPolicy.MIN_LENGTH)
                .dataFetcher("maxBytes", environment -> PasswordPolicy.MAX_BYTES)
                .dataFetcher("requirements", environment -> passwordPolicy.requirements()));
        wiring.type("Invitation", type -> type
                .dataFetcher("id", environment -> GlobalId.encode(Invitation.TYPE, environment.<Invitation>getSource().id()))
                .dataFetcher("status", environment -> environment.<Invitation>getSource().status(clock.instant()).name())
                .dataFetcher("organization", environment -> BatchLoaders.load(environment, SharedLoaders.ORGANIZATIONS, environment.<Invitation>getSource().organizationId())));
    }

    private Connection<Invitation> invitationPage(DataFetchingEnvironment environment) {
        Viewer viewer = viewer(environment);
        String organizationId = environment.getArgument("organizationId");
        boolean pendingOnly = Boolean.TRUE.equals(environment.getArgument("pendingOnly"));
        int first = Connection.first(environment);
        List<Invitation> page = members.page(viewer, organizationId, pendingOnly, Connection.after(environment, Long.MAX_VALUE), first + 1);
        return Connection.of(page, first, Invitation::id, environment.getArgument("after") != null, members.count(viewer, organizationId, pendingOnly));
    }

    private static Role role(Object value) {
        return value == null ? null : Role.valueOf((String) value);
    }

    private static Viewer viewer(DataFetchingEnvironment environment) {
        return GraphQLContextKeys.viewer(environment);
    }

    /** The node loader of invitations. */
    @Factory
    static class ProfileNodes {

        @Singleton
        NodeLoader<Invitation> invitationNodes(InvitationRepository repository) {
            return NodeLoader.of(Invitation.TYPE, Invitation.class, repository::findById, invitation -> Owner.organization(invitation.organizationId()));
        }
    }
}
