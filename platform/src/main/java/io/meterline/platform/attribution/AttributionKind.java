package io.meterline.platform.attribution;

/** What an attribution group is, and the usage dimension that names it. */
public enum AttributionKind {
    /** A team of members; usage names it in the {@code team} dimension. */
    TEAM("team", true),
    /** A department (cost center); each member belongs to at most one; the {@code department} dimension. */
    DEPARTMENT("department", true),
    /** A project; the {@code project} dimension. Projects have no members. */
    PROJECT("project", false);

    private final String dimension;
    private final boolean hasMembers;

    AttributionKind(String dimension, boolean hasMembers) {
        this.dimension = dimension;
        this.hasMembers = hasMembers;
    }

    /** The usage dimension's wire name. */
    public String dimension() {
        return dimension;
    }

    public boolean hasMembers() {
        return hasMembers;
    }
}
