package io.meterline.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one {@code Authorization: Bearer} parser without a server. */
class BearerTokensTest {

    @Test
    void readsTheCredentialInAnyLetterCaseOfTheScheme() {
        assertThat(BearerTokens.credential("Bearer mk_live_abc")).isEqualTo("mk_live_abc");
        assertThat(BearerTokens.credential("bearer mk_live_abc")).isEqualTo("mk_live_abc");
        assertThat(BearerTokens.credential("BEARER   mk_live_abc  ")).isEqualTo("mk_live_abc");
    }

    @Test
    void anotherSchemeOrNoValueHasNoCredential() {
        assertThat(BearerTokens.credential(null)).isNull();
        assertThat(BearerTokens.credential("")).isNull();
        assertThat(BearerTokens.credential("Bearer")).isNull();
        assertThat(BearerTokens.credential("Basic dXNlcjpwYXNz")).isNull();
        assertThat(BearerTokens.credential("Bearermk_live_abc")).isNull();
    }

    @Test
    void anEmptyCredentialIsEmptyNotNull() {
        assertThat(BearerTokens.credential("Bearer   ")).isEmpty();
    }
}
