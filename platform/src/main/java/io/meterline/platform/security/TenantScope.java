package io.meterline.platform.security;

import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.MeterlineException;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.util.Objects;

/**
 * The one place where tenancy is decided. Every service that reads or writes an organization's
 * rows asks here which organization a request may touch; an organization user naming another
 * organization gets NOT_FOUND, exactly as if it did not exist.
 */
@Singleton
public class TenantScope {

    /** The GraphQL type name of organizations, used in their global ids. */
    public static final String ORGANIZATION_TYPE = "Organization";

    /**
     * The organization a request acts on.
     *
     * @param viewer who is asking
     * @param organizationId the global id the request named, or null for the viewer's own
     * @return the organization's row id
     */
    public long organizationFor(Viewer viewer, @Nullable String organizationId) {
        Objects.requireNonNull(viewer, "viewer is null");
        if (organizationId == null) {
            if (viewer.organizationId() == null) {
                throw MeterlineException.badInput("Platform admins must name an organizationId");
            }
            return viewer.organizationId();
        }
        long id = GlobalId.require(organizationId, ORGANIZATION_TYPE);
        check(viewer, Owner.organization(id), organizationId);
        return id;
    }

    /** Like {@link #organizationFor}, and the viewer must also be allowed to manage it. */
    public long organizationToManage(Viewer viewer, @Nullable String organizationId) {
        long id = organizationFor(viewer, organizationId);
        requireManager(viewer);
        return id;
    }

    /** Whether the viewer may see an object with this owner. */
    public boolean canSee(Viewer viewer, Owner owner) {
        if (viewer.isPlatformAdmin() || owner.readableByAll()) {
            return true;
        }
        return owner.organizationId() != null && owner.organizationId().equals(viewer.organizationId());
    }

    /** Throws NOT_FOUND, naming the id, when the viewer may not see an object with this owner. */
    public void check(Viewer viewer, Owner owner, String id) {
        if (!canSee(viewer, owner)) {
            throw MeterlineException.notFound(id);
        }
    }

    /** Organization members read; organization admins and platform admins change things (tool users never). */
    public void requireManager(Viewer viewer) {
        if (viewer.role() != Role.ORG_ADMIN && viewer.role() != Role.PLATFORM_ADMIN) {
            throw MeterlineException.forbidden("Only organization admins can do this");
        }
    }

    public void requirePlatformAdmin(Viewer viewer) {
        if (!viewer.isPlatformAdmin()) {
            throw MeterlineException.forbidden("Only platform admins can do this");
        }
    }
}
