package io.rtcdp.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BenchCommandTest {
    @Test
    void theWarmUpHasTheMeasuredRunsEventsPerPerson() {
        assertThat(BenchCommand.warmUpPersons(100_000, 300_000, 1_000_000)).isEqualTo(30_000);
        assertThat(BenchCommand.warmUpPersons(100_000, 1_000_000, 1_000_000)).isEqualTo(100_000);
        assertThat(BenchCommand.warmUpPersons(3, 1, 1_000_000)).isEqualTo(1);
    }

    @Test
    void aWarmUpLongerThanTheRunHasAtMostTheRunsPersons() {
        // the default warm-up (300,000 events) before a run of 10 events of 100,000 persons once
        // asked the generator for 3 billion persons, cast to a negative int
        assertThat(BenchCommand.warmUpPersons(100_000, 300_000, 10)).isEqualTo(100_000);
        assertThat(BenchCommand.warmUpPersons(100_000_000, 3_000_000_000L, 1))
                .isEqualTo(100_000_000);
    }
}
