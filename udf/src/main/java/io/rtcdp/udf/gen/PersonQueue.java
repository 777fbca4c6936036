package io.rtcdp.udf.gen;

import java.util.Arrays;

/**
 * Idle persons by the time they next want a session: a binary min-heap of (time, person) in two
 * primitive arrays, so that a million persons cost 12 MB rather than a million heap objects. Ties
 * go to the smaller person index, which keeps the generator deterministic.
 */
final class PersonQueue {
    private long[] times;
    private int[] persons;
    private int size;

    PersonQueue(int capacity) {
        times = new long[Math.max(1, capacity)];
        persons = new int[Math.max(1, capacity)];
    }

    int size() {
        return size;
    }

    void add(long time, int person) {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            persons = Arrays.copyOf(persons, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(time, person, times[parent], persons[parent])) {
                break;
            }
            times[i] = times[parent];
            persons[i] = persons[parent];
            i = parent;
        }
        times[i] = time;
        persons[i] = person;
    }

    /** Removes the earliest entry and returns its person; the queue must not be empty. */
    int poll() {
        if (size == 0) {
            throw new IllegalStateException("no idle person");
        }
        int top = persons[0];
        size--;
        long t = times[size];
        int p = persons[size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size
                    && less(times[child + 1], persons[child + 1], times[child], persons[child])) {
                child++;
            }
            if (!less(times[child], persons[child], t, p)) {
                break;
            }
            times[i] = times[child];
            persons[i] = persons[child];
            i = child;
        }
        times[i] = t;
        persons[i] = p;
        return top;
    }

    private static boolean less(long t1, int p1, long t2, int p2) {
        return t1 < t2 || (t1 == t2 && p1 < p2);
    }
}
