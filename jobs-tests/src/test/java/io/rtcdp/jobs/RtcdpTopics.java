package io.rtcdp.jobs;

import io.rtcdp.testing.KafkaExtension;

/** The Kafka topics of rtcdp, as the streaming ITCases create them on their broker. */
final class RtcdpTopics {
    private RtcdpTopics() {}

    /**
     * A broker with rtcdp's topics: {@code rtcdp.events} with 3 partitions, the others with 1;
     * {@link KafkaExtension#topic} changes a count.
     */
    static KafkaExtension kafka() {
        return new KafkaExtension()
                .topic("rtcdp.events", 3)
                .topic("rtcdp.dlq", 1)
                .topic("rtcdp.conflicts", 1)
                .topic("rtcdp.rules", 1)
                .topic("rtcdp.triggers", 1)
                .topic("rtcdp.models", 1)
                .topic("rtcdp.audit", 1)
                .topic("rtcdp.commands", 1);
    }
}
