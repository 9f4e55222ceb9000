package io.meterline.platform.profile;

import io.meterline.platform.account.Organization;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.security.User;
import io.meterline.platform.security.UserRepository;
import io.meterline.platform.common.ContactFields;
import io.meterline.platform.common.ErrorCode;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.mail.EmailSender;
import io.meterline.platform.security.AccountLinks;
import io.meterline.platform.security.Owner;
import io.meterline.platform.security.PasswordHasher;
import io.meterline.platform.security.PasswordPolicy;
import io.meterline.platform.security.Role;
import io.meterline.platform.security.Secrets;
import io.meterline.platform.security.Sessions;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.data.model.Pageable;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The people of an organization (seed 004): organization admins invite members by email and change
 * their roles; members read. An invitation emails a single-use link (the token's hash is stored)
 * that expires after {@code meterline.links.invitation-ttl}; accepting it with a password that meets
 * the {@link PasswordPolicy} creates the user with the invited role. Inviting the same email again
 * replaces the open invitation, so only the newest link works.
 */
@Singleton
public class MemberService {

    private static final Logger LOG = LoggerFactory.getLogger(MemberService.class);
    private static final int TOKEN_LENGTH = 40;

    /** An invitation as the admin made it. */
    public record NewInvitation(@Nullable String organizationId, @Nullable String email, @Nullable Role role, @Nullable String displayName) {
    }

    private final InvitationRepository invitations;
    private final UserRepository users;
    private final OrganizationRepository organizations;
    private final TenantScope tenantScope;
    private final PasswordPolicy passwordPolicy;
    private final PasswordHasher passwordHasher;
    private final EmailSender emails;
    private final AccountLinks links;
    private final JdbcOperations jdbc;
    private final TransactionOperations<Connection> transactions;
    private final Clock clock;
    private final Sessions sessions;

    public MemberService(InvitationRepository invitations, UserRepository users, OrganizationRepository organizations, TenantScope tenantScope,
                         PasswordPolicy passwordPolicy, PasswordHasher passwordHasher, EmailSender emails, AccountLinks links, JdbcOperations jdbc,
                         TransactionOperations<Connection> transactions, Clock clock, Sessions sessions) {
        this.invitations = invitations;
        this.users = users;
        this.organizations = organizations;
        this.tenantScope = tenantScope;
        this.passwordPolicy = passwordPolicy;
        this.passwordHasher = passwordHasher;
        this.emails = emails;
        this.links = links;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
        this.sessions = sessions;
    }

    /** Invites someone and emails them the link; organization admins (their own organization) and platform admins. */
    public Invitation invite(Viewer viewer, NewInvitation input) {
        long organizationId = tenantScope.organizationToManage(viewer, input.organizationId());
        Organization organization = transactions.executeRead(status -> organizations.findById(organizationId))
                .orElseThrow(() -> MeterlineException.notFound(input.organizationId()));
        List<UserError> errors = new ArrayList<>();
        String email = ContactFields.email(input.email(), "email", true, errors);
        if (errors.isEmpty() && transactions.executeRead(status -> users.existsByEmail(email))) {
            errors.add(UserError.of("email", ProfileErrorCode.TAKEN, "Someone already has an account with this email"));
        }
        if (input.role() == null || input.role() == Role.PLATFORM_ADMIN) {
            errors.add(UserError.of("role", ProfileErrorCode.INVALID, "Members are invited as ORG_ADMIN or ORG_MEMBER"));
        }
        String displayName = ContactFields.text(input.displayName(), "displayName", "Display name", ProfileService.MAX_DISPLAY_NAME, false, errors);
        UserInputException.throwIfAny(errors);
        String token = Secrets.random(TOKEN_LENGTH);
        Instant now = clock.instant();
        Invitation invitation = transactions.executeWrite(status -> {
            invitations.revokeOpen(organizationId, email, now);
            return invitations.save(new Invitation(null, organizationId, email, input.role(), displayName, Secrets.sha256(token), viewer.email(),
                    now, now.plus(links.invitationTtl()), null, null, null));
        });
        try {
            emails.send(email, "You are invited to " + organization.name() + " on Meterline",
                    viewer.email() + " invited you to join " + organization.name() + " on Meterline as " + roleName(input.role()) + ".\n\n"
                            + "Choose your password within " + Math.max(1, links.invitationTtl().toHours()) + " hours to accept:\n"
                            + links.invitation(token) + "\n\n"
                            + "If you did not expect this invitation, ignore this email.");
        }
        catch (RuntimeException e) {
            transactions.executeWrite(status -> invitations.markRevoked(invitation.id(), clock.instant()));
            LOG.warn("Could not send the invitation to {}", email, e);
            throw new MeterlineException(ErrorCode.INTERNAL, "The invitation email could not be sent; try again later");
        }
        return invitation;
    }

    /** Accepts an invitation: creates the user with the chosen password. Needs no sign-in: the token is the proof. */
    public User accept(@Nullable String token, @Nullable String password, @Nullable String displayName) {
        if (token == null || token.isBlank()) {
            throw new UserInputException(UserError.of("token", ProfileErrorCode.BLANK, "The link has no token"));
        }
        Instant now = clock.instant();
        return transactions.executeWrite(status -> {
            Invitation invitation = invitations.findByTokenHash(Secrets.sha256(token.trim()))
                    .orElseThrow(() -> new UserInputException(UserError.of("token", ProfileErrorCode.INVALID, "This invitation link is not valid")));
            switch (invitation.status(now)) {
                case ACCEPTED -> throw new UserInputException(UserError.of("token", ProfileErrorCode.ALREADY_USED, "This invitation was already accepted; sign in instead"));
                case REVOKED -> throw new UserInputException(UserError.of("token", ProfileErrorCode.INVALID_STATE, "This invitation was withdrawn or replaced by a newer one"));
                case EXPIRED -> throw new UserInputException(UserError.of("token", ProfileErrorCode.EXPIRED, "This invitation has expired; ask your admin for a new one"));
                case PENDING -> {
                }
            }
            List<UserError> errors = new ArrayList<>();
            if (users.existsByEmail(invitation.email())) {
                errors.add(UserError.of("token", ProfileErrorCode.TAKEN, "Someone already has an account with this email; sign in instead"));
            }
            passwordPolicy.validate(password, invitation.email(), "password", errors);
            String name = ContactFields.text(displayName, "displayName", "Display name", ProfileService.MAX_DISPLAY_NAME, false, errors);
            UserInputException.throwIfAny(errors);
            if (name == null) {
                name = invitation.displayName() != null ? invitation.displayName() : invitation.email().substring(0, invitation.email().indexOf('@'));
            }
            User user = users.save(new User(null, invitation.organizationId(), invitation.email(), passwordHasher.hash(password), name, invitation.role(), now));
            if (invitations.markAccepted(invitation.id(), user.id(), now) != 1) {
                // Another request accepted it between our read and this write: roll the new user back.
                throw new UserInputException(UserError.of("token", ProfileErrorCode.ALREADY_USED, "This invitation was already accepted; sign in instead"));
            }
            return user;
        });
    }

    /** Withdraws a pending invitation: its link stops working. */
    public Invitation revoke(Viewer viewer, @Nullable String id) {
        long rowId = GlobalId.require(id, Invitation.TYPE);
        return transactions.executeWrite(status -> {
            Invitation invitation = invitations.findById(rowId).orElseThrow(() -> MeterlineException.notFound(id));
            tenantScope.check(viewer, Owner.organization(invitation.organizationId()), id);
            tenantScope.requireManager(viewer);
            if (invitations.markRevoked(rowId, clock.instant()) != 1) {
                throw new UserInputException(UserError.of("id", ProfileErrorCode.INVALID_STATE, "Only a pending invitation can be withdrawn"));
            }
            return invitations.findById(rowId).orElseThrow();
        });
    }

    /** The invitations of an organization, newest first; optionally only the pending ones. */
    public List<Invitation> page(Viewer viewer, @Nullable String organizationId, boolean pendingOnly, long beforeId, int limit) {
        long organization = tenantScope.organizationFor(viewer, organizationId);
        return transactions.executeRead(status -> pendingOnly
                ? invitations.findByOrganizationIdAndIdLessThanAndAcceptedAtIsNullAndRevokedAtIsNullAndExpiresAtGreaterThanOrderByIdDesc(organization, beforeId,
                        clock.instant(), Pageable.from(0, limit))
                : invitations.findByOrganizationIdAndIdLessThanOrderByIdDesc(organization, beforeId, Pageable.from(0, limit)));
    }

    /** How many invitations {@link #page} lists over all pages. */
    public long count(Viewer viewer, @Nullable String organizationId, boolean pendingOnly) {
        long organization = tenantScope.organizationFor(viewer, organizationId);
        return transactions.executeRead(status -> pendingOnly
                ? invitations.countByOrganizationIdAndAcceptedAtIsNullAndRevokedAtIsNullAndExpiresAtGreaterThan(organization, clock.instant())
                : invitations.countByOrganizationId(organization));
    }

    /**
     * Changes a member's role within their organization. The organization keeps at least one admin:
     * the last one cannot be made a member. The member's access tokens end at once, on every
     * instance; a refresh re-reads the user and issues one with the new role.
     */
    public User changeRole(Viewer viewer, @Nullable String userId, @Nullable Role role) {
        long rowId = GlobalId.require(userId, "User");
        return transactions.executeWrite(status -> {
            User user = users.findById(rowId).orElseThrow(() -> MeterlineException.notFound(userId));
            if (user.organizationId() == null) {
                tenantScope.check(viewer, Owner.platform(), userId);
                throw new UserInputException(UserError.of("userId", ProfileErrorCode.INVALID, "Platform admins have no organization role"));
            }
            tenantScope.check(viewer, Owner.organization(user.organizationId()), userId);
            tenantScope.requireManager(viewer);
            if (role == null || role == Role.PLATFORM_ADMIN) {
                throw new UserInputException(UserError.of("role", ProfileErrorCode.INVALID, "Members have the role ORG_ADMIN or ORG_MEMBER"));
            }
            if (user.role() == role) {
                return user;
            }
            if (user.role() == Role.ORG_ADMIN && lockedAdminCount(user.organizationId()) <= 1) {
                throw new UserInputException(UserError.of("role", ProfileErrorCode.INVALID_STATE, "The organization needs at least one admin; make someone else admin first"));
            }
            jdbc.prepareStatement("UPDATE app_user SET role = ? WHERE id = ?", statement -> {
                statement.setString(1, role.name());
                statement.setLong(2, rowId);
                return statement.executeUpdate();
            });
            sessions.endAccessTokens(rowId);
            return users.findById(rowId).orElseThrow();
        });
    }

    /** Counts the organization's admins, locking their rows so two concurrent demotions cannot leave none. */
    private long lockedAdminCount(long organizationId) {
        return jdbc.prepareStatement("SELECT id FROM app_user WHERE organization_id = ? AND role = ? FOR UPDATE", statement -> {
            statement.setLong(1, organizationId);
            statement.setString(2, Role.ORG_ADMIN.name());
            long count = 0;
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    count++;
                }
            }
            return count;
        });
    }

    private static String roleName(Role role) {
        return role == Role.ORG_ADMIN ? "an admin" : "a member";
    }
}
