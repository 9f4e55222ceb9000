package io.meterline.platform.common.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlaceholdersTest {

    @Test
    void oneMarkPerValue() {
        assertThat(Placeholders.in(1)).isEqualTo("?");
        assertThat(Placeholders.in(3)).isEqualTo("?, ?, ?");
        assertThat(Placeholders.in(List.of("a", "b"))).isEqualTo("?, ?");
    }

    @Test
    void anEmptyListIsNotSql() {
        assertThatThrownBy(() -> Placeholders.in(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Placeholders.in(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
