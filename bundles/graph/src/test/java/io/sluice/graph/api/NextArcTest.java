package io.sluice.graph.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class NextArcTest {

    private enum Next implements NextArc {
        DROP("error-drop"),
        REWRITE("ip4-rewrite"),
        LOCAL("ip4-local");

        private final String nodeName;

        Next(String nodeName) {
            this.nodeName = nodeName;
        }

        @Override
        public String nodeName() {
            return nodeName;
        }
    }

    @Test
    void namesFollowTheOrdinalsSoTheArcIndexIsTheOrdinal() {
        List<String> names = NextArc.names(Next.class);
        assertEquals(List.of("error-drop", "ip4-rewrite", "ip4-local"), names);
        assertEquals("ip4-local", names.get(Next.LOCAL.ordinal()));
    }
}
