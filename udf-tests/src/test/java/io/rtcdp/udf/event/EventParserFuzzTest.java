package io.rtcdp.udf.event;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Issue 17: nothing a producer sends can stop the job. Whatever the bytes, {@link
 * EventParser#parse(byte[], String)} returns, and its result is a valid event within every input
 * limit or a dead letter of an input code whose JSON is valid and small ({@link EventFuzz#check}).
 * A parser defect would show as an {@code internal} dead letter and fail here.
 */
class EventParserFuzzTest {

    private static final String SOURCE = "rtcdp.events/1/42";

    private final EventParser parser = new EventParser(EventFuzz.CONFIG);

    @Provide
    Arbitrary<byte[]> records() {
        return EventFuzz.records();
    }

    @Provide
    Arbitrary<byte[]> events() {
        return EventFuzz.events();
    }

    @Provide
    Arbitrary<byte[]> validEvents() {
        return EventFuzz.validEvents();
    }

    @Provide
    Arbitrary<byte[]> mutatedEvents() {
        return EventFuzz.mutatedEvents();
    }

    @Provide
    Arbitrary<byte[]> randomBytes() {
        return EventFuzz.randomBytes();
    }

    private void parseAndCheck(byte[] record) throws Exception {
        Parsed parsed = parser.parse(record, SOURCE);
        EventFuzz.check(parsed, record, SOURCE);
        Statistics.label("outcome")
                .collect(parsed.isValid() ? "valid" : parsed.deadLetter().error());
    }

    @Property(tries = 1000)
    void anyRecordIsAValidEventOrABoundedDeadLetter(@ForAll("records") byte[] record)
            throws Exception {
        parseAndCheck(record);
    }

    /** Built events: hostile values in every field, and still a good share of valid events. */
    @Property(tries = 1000)
    void builtEvents(@ForAll("events") byte[] record) throws Exception {
        parseAndCheck(record);
        Statistics.label("outcome").coverage(c -> c.check("valid").percentage(p -> p >= 20));
    }

    /** Values at every limit, escapes of every kind: the limits reject nothing they should not. */
    @Property(tries = 1000)
    void eventsWithinTheLimitsAreValid(@ForAll("validEvents") byte[] record) throws Exception {
        try {
            Event e = parser.parse(record);
            EventFuzz.checkEvent(e);
            Statistics.label("order lines").collect(e.items().isEmpty() ? "none" : "some");
        } catch (InvalidEventException e) {
            throw new AssertionError(e.code().code() + ": " + e.getMessage(), e);
        }
        Statistics.label("order lines").coverage(c -> c.check("some").percentage(p -> p >= 3));
    }

    @Property(tries = 1000)
    void editedEvents(@ForAll("mutatedEvents") byte[] record) throws Exception {
        parseAndCheck(record);
    }

    @Property(tries = 1000)
    void randomBytes(@ForAll("randomBytes") byte[] record) throws Exception {
        parseAndCheck(record);
    }
}
