package io.rtcdp.udf.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventType;
import io.rtcdp.udf.event.Id;
import org.junit.jupiter.api.Test;

class IdCommandTest {
    private static final Id PHONE = new Id("phone", "0a1b2c");

    @Test
    void aReleaseRoundTripsAndItsIdIsDerivedFromItsFields() {
        IdCommand c = IdCommand.release("acme", PHONE, 1_700_000_000_000L);
        assertThat(IdCommand.parse(c.toJson())).isEqualTo(c);
        assertThat(c.commandId())
                .hasSize(32)
                .isEqualTo(IdCommand.release("acme", PHONE, 1_700_000_000_000L).commandId())
                .isNotEqualTo(IdCommand.release("acme", PHONE, 1_700_000_000_001L).commandId())
                .isNotEqualTo(IdCommand.release("other", PHONE, 1_700_000_000_000L).commandId());
        assertThat(IdCommand.fromEvent(c.toEvent())).isEqualTo(c);
        assertThat(c.toEvent().type()).isEqualTo(EventType.COMMAND);
    }

    @Test
    void noInputEventCanBeACommand() {
        assertThat(EventType.fromWire("command")).isNull();
        Event e = c().toEvent();
        assertThat(e.eventId()).startsWith("\u0000");
    }

    private static IdCommand c() {
        return IdCommand.release("acme", PHONE, 5L);
    }

    @Test
    void malformedCommandsAreRefusedWithOneLine() {
        String good = c().toJson();
        String[][] cases = {
            {"[1]", "not a JSON object"},
            {"{", "not JSON"},
            {good.replace("\"release\"", "\"forget\""), "unknown command type 'forget'"},
            {good.replace("\"acme\"", "\"ACME\""), "field 'tenant'"},
            {good.replace("phone:0a1b2c", "fax:1"), "unknown id type 'fax'"},
            {good.replace("phone:0a1b2c", "phone0a1b2c"), "TYPE:VALUE"},
            {good.replace("\"issued_at\":5", "\"issued_at\":-5"), "issued_at"},
            {good.replace("\"issued_at\":5", "\"issued_at\":\"5\""), "issued_at"},
            {good.replace("phone:0a1b2c", "phone:0a1b2d"), "command_id"},
            {good.replace("{", "{\"extra\":1,"), "unknown field 'extra'"},
            {good.replace("\"type\":\"release\",", ""), "field 'type'"},
            {
                good.replace("{", "{\"a\\nforged log line" + "x".repeat(100) + "\":1,"),
                "unknown field 'a?forged"
            }
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> IdCommand.parse(c[0]))
                    .as(c[0])
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(c[1])
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void anEventThatCarriesNoCommandIsNotOne() {
        Event plain = io.rtcdp.udf.testing.Events.page().tenant("acme").eventId("e1").build();
        assertThatThrownBy(() -> IdCommand.fromEvent(plain))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
