package io.meterline.platform.security;

import at.favre.lib.crypto.bcrypt.BCrypt;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;

/** Hashes sign-in passwords with bcrypt. */
@Singleton
public class PasswordHasher {

    private static final int COST = 10;
    // Verified against when the email is unknown, so a wrong email costs as long as a wrong password.
    private static final String DUMMY_HASH = new String(BCrypt.withDefaults().hash(COST, new byte[16], "dummy-password".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);

    public String hash(String password) {
        return BCrypt.withDefaults().hashToString(COST, password.toCharArray());
    }

    public boolean matches(String password, String hash) {
        return BCrypt.verifyer().verify(password.toCharArray(), hash == null ? DUMMY_HASH : hash).verified && hash != null;
    }
}
