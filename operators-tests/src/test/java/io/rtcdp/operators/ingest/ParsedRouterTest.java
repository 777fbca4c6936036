package io.rtcdp.operators.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventParser;
import io.rtcdp.udf.event.Parsed;
import io.rtcdp.udf.event.ParserConfig;
import java.nio.charset.StandardCharsets;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class ParsedRouterTest {
    static final long T = 1_699_999_999_000L;
    final EventParser parser = new EventParser(ParserConfig.defaults());

    Parsed event(String id, long ts) {
        String json =
                "{\"event_id\":\""
                        + id
                        + "\",\"tenant\":\"acme\",\"type\":\"page\",\"ts\":"
                        + ts
                        + ",\"ids\":{\"cookie_id\":\"c-"
                        + id
                        + "\"}}";
        return parser.parse(json.getBytes(StandardCharsets.UTF_8), "test:" + id);
    }

    OneInputStreamOperatorTestHarness<Parsed, Event> harness(ParsedRouter router) throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(router));
        h.open();
        return h;
    }

    @Test
    void aReplayToACutoffLeavesOutTheValidEventsAfterIt() throws Exception {
        try (var h = harness(new ParsedRouter(T))) {
            h.processElement(event("a", T - 1), 0);
            h.processElement(event("b", T), 0);
            h.processElement(event("c", T + 1), 0);
            Parsed bad = parser.parse("{".getBytes(StandardCharsets.UTF_8), "test:bad");
            h.processElement(bad, 0);
            assertThat(h.extractOutputValues())
                    .extracting(Event::eventId)
                    .containsExactly("a", "b");
            // invalid input is a dead letter, whatever its time
            assertThat(h.getSideOutput(ParsedRouter.DEAD_LETTERS)).hasSize(1);
        }
    }

    @Test
    void withoutACutoffEveryValidEventPasses() throws Exception {
        try (var h = harness(new ParsedRouter())) {
            h.processElement(event("a", T), 0);
            h.processElement(event("b", T + 365 * 86_400_000L), 0);
            assertThat(h.extractOutputValues()).hasSize(2);
        }
    }
}
