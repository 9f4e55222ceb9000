package io.meterline.platform.accountid;

/** Whether an Account ID may be used. */
public enum AccountIdStatus {
    /** Tool users sign in with it and its calls are authorized. */
    ACTIVE,
    /** Refused for now; can be reactivated. */
    SUSPENDED,
    /** Refused for good; its history stays and its code is never reused. */
    ARCHIVED
}
