package io.meterline.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.common.UserError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The password rules without a server: lengths in characters and UTF-8 bytes, the email, the common-password list. */
class PasswordPolicyTest {

    static final PasswordPolicy POLICY = new PasswordPolicy();

    /** The codes of the errors a password gets, reported on field "password". */
    static List<String> codes(String password, String email) {
        List<UserError> errors = new ArrayList<>();
        POLICY.validate(password, email, "password", errors);
        errors.forEach(error -> assertThat(error.field()).containsExactly("input", "password"));
        return errors.stream().map(error -> error.code().name()).toList();
    }

    @Test
    void atLeastTwelveCharacters() {
        assertThat(codes(null, null)).containsExactly("LENGTH");
        assertThat(codes("", null)).containsExactly("LENGTH");
        assertThat(codes("gV7#kq2!Lm9", null)).as("11 characters").containsExactly("LENGTH");
        assertThat(codes("gV7#kq2!Lm9x", null)).as("12 characters").isEmpty();
    }

    @Test
    void atMost72BytesOfUtf8() {
        String ascii72 = "Zq8!".repeat(18);
        assertThat(codes(ascii72, null)).isEmpty();
        assertThat(codes(ascii72 + "w", null)).containsExactly("LENGTH");
        // 36 characters of two bytes each fit; 37 (74 bytes) do not, though far under 72 characters.
        String accents = "\u00e9\u00e8\u00ea\u00eb".repeat(9);
        assertThat(accents.getBytes(StandardCharsets.UTF_8)).hasSize(72);
        assertThat(codes(accents, null)).isEmpty();
        assertThat(codes(accents + "\u00e9", null)).containsExactly("LENGTH");
        // An emoji is 2 chars and 4 bytes: 18 of them are 36 characters and exactly 72 bytes.
        String emoji = "\ud83d\udd11".repeat(18);
        assertThat(codes(emoji, null)).isEmpty();
        assertThat(codes(emoji + "k", null)).containsExactly("LENGTH");
    }

    @Test
    void notTheEmailNorItsLocalPartOfThreeOrMoreCharacters() {
        assertThat(codes("xX-ann.lee@example.com-9", "ann.lee@example.com")).containsExactly("WEAK_PASSWORD");
        assertThat(codes("Gz4!ANN.LEE!kq", "Ann.Lee@Example.com ")).as("case and spaces do not matter").containsExactly("WEAK_PASSWORD");
        assertThat(codes("Gz4!bobkq8#Lw", "bob@example.com")).as("a three-letter local part").containsExactly("WEAK_PASSWORD");
        assertThat(codes("Gz4!alkq8#Lwp", "al@example.com")).as("two letters are too common to refuse").isEmpty();
        assertThat(codes("Gz4!bobkq8#Lw", null)).isEmpty();
        assertThat(codes("Gz4!bobkq8#Lw", " ")).isEmpty();
    }

    @Test
    void notACommonPasswordAlsoWithDigitsOrSymbolsAround() {
        assertThat(codes("qwertyuiop12", null)).containsExactly("WEAK_PASSWORD");
        assertThat(codes("Password2024!", null)).containsExactly("WEAK_PASSWORD");
        assertThat(codes("!!2024SUNSHINE2024!!", null)).containsExactly("WEAK_PASSWORD");
        // A common word inside other letters is not the common password.
        assertThat(codes("mypasswordisgood", null)).isEmpty();
        assertThat(codes("pass-word-2024", null)).isEmpty();
    }

    @Test
    void oneErrorPerPasswordTheFirstBrokenRule() {
        assertThat(codes("password", "password@example.com")).containsExactly("LENGTH");
        assertThat(codes("password@example.com", "password@example.com")).containsExactly("WEAK_PASSWORD");
    }

    @Test
    void thePageListsTheRulesInOrder() {
        assertThat(POLICY.requirements()).extracting(PasswordPolicy.Requirement::code)
                .containsExactly("MIN_LENGTH", "MAX_LENGTH", "NOT_EMAIL", "NOT_COMMON", "NOT_RECENT");
        assertThat(POLICY.requirements().get(0).description()).isEqualTo("At least 12 characters");
        assertThat(POLICY.requirements().get(4).description()).contains("last 4");
    }
}
