package io.rtcdp.operators.ingest;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A bounded source held open at its end: it reads its input as the wrapped source does, then emits
 * nothing and never finishes, so the job keeps running with all of its state, and a savepoint taken
 * then holds the state after the whole input ({@code rtcdp replay --savepoint}). A finished source
 * would end the job instead (its end-of-input watermark firing every timer), leaving nothing to
 * take a savepoint of.
 *
 * <p>Each reader reports to {@link #progress(String)} when it reached the end of its input, in the
 * JVM it runs in: the local MiniCluster of the replay that waits for it. A reader that starts again
 * (a restart from a checkpoint) withdraws its report and counts a start, so a savepoint taken while
 * every reader had reported, with no start since, holds the whole input.
 */
public final class HeldOpenSource<T, SplitT extends SourceSplit, EnumChkT>
        implements Source<T, SplitT, EnumChkT>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;

    private static final Map<String, Progress> PROGRESS = new ConcurrentHashMap<>();

    private final Source<T, SplitT, EnumChkT> input;
    private final String runId;

    /**
     * @param input a bounded source
     * @param runId names this run's {@link #progress(String)}; unique per run
     */
    public HeldOpenSource(Source<T, SplitT, EnumChkT> input, String runId) {
        if (input.getBoundedness() != Boundedness.BOUNDED) {
            throw new IllegalArgumentException("only a bounded source can be held open");
        }
        this.input = input;
        this.runId = runId;
    }

    /** The wrapped source's type (a file source knows it from its format). */
    @Override
    public TypeInformation<T> getProducedType() {
        if (input instanceof ResultTypeQueryable<?> q) {
            @SuppressWarnings("unchecked")
            TypeInformation<T> t = (TypeInformation<T>) q.getProducedType();
            return t;
        }
        throw new IllegalStateException(
                "the held-open source's type is its input's, which does not say it: " + input);
    }

    /** The progress of the readers of the run {@code runId} in this JVM. */
    public static Progress progress(String runId) {
        return PROGRESS.computeIfAbsent(runId, k -> new Progress());
    }

    /** Forgets the run's progress (when the run ended). */
    public static void forget(String runId) {
        PROGRESS.remove(runId);
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<T, SplitT> createReader(SourceReaderContext context) throws Exception {
        return new Reader<>(input.createReader(context), progress(runId), context);
    }

    @Override
    public SplitEnumerator<SplitT, EnumChkT> createEnumerator(
            SplitEnumeratorContext<SplitT> context) throws Exception {
        return input.createEnumerator(context);
    }

    @Override
    public SplitEnumerator<SplitT, EnumChkT> restoreEnumerator(
            SplitEnumeratorContext<SplitT> context, EnumChkT checkpoint) throws Exception {
        return input.restoreEnumerator(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<SplitT> getSplitSerializer() {
        return input.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<EnumChkT> getEnumeratorCheckpointSerializer() {
        return input.getEnumeratorCheckpointSerializer();
    }

    /** Which readers of a run reached the end of their input, and how often readers started. */
    public static final class Progress {
        private final Set<Integer> ended = ConcurrentHashMap.newKeySet();
        private final Set<Integer> settled = ConcurrentHashMap.newKeySet();
        private final AtomicInteger starts = new AtomicInteger();

        void started(int subtask) {
            ended.remove(subtask);
            settled.remove(subtask);
            starts.incrementAndGet();
        }

        void ended(int subtask) {
            ended.add(subtask);
        }

        void checkpointCompletedAfterEnd(int subtask) {
            settled.add(subtask);
        }

        /** Whether each of {@code parallelism} readers reached the end of its input. */
        public boolean allEnded(int parallelism) {
            return all(ended, parallelism);
        }

        /**
         * Whether each of {@code parallelism} readers reached the end of its input and then saw a
         * checkpoint complete: the job is then settled, tasks that finish early (bounded side
         * inputs wait for one completed checkpoint before they end) are gone, and a savepoint
         * triggered now meets only running tasks.
         */
        public boolean allSettled(int parallelism) {
            return all(settled, parallelism);
        }

        private static boolean all(Set<Integer> subtasks, int parallelism) {
            for (int i = 0; i < parallelism; i++) {
                if (!subtasks.contains(i)) {
                    return false;
                }
            }
            return true;
        }

        /** How many times a reader started (restarts included). */
        public int starts() {
            return starts.get();
        }
    }

    private static final class Reader<T, SplitT extends SourceSplit>
            implements SourceReader<T, SplitT> {
        // completed never: the reader has nothing more, ever
        private final CompletableFuture<Void> never = new CompletableFuture<>();

        private final SourceReader<T, SplitT> input;
        private final Progress progress;
        private final int subtask;
        private boolean ended;

        Reader(SourceReader<T, SplitT> input, Progress progress, SourceReaderContext context) {
            this.input = input;
            this.progress = progress;
            this.subtask = context.getIndexOfSubtask();
        }

        @Override
        public void start() {
            progress.started(subtask);
            input.start();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
            if (ended) {
                return InputStatus.NOTHING_AVAILABLE;
            }
            InputStatus s = input.pollNext(output);
            if (s == InputStatus.END_OF_INPUT) {
                ended = true;
                progress.ended(subtask);
                return InputStatus.NOTHING_AVAILABLE;
            }
            return s;
        }

        @Override
        public List<SplitT> snapshotState(long checkpointId) {
            return input.snapshotState(checkpointId);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return ended ? never : input.isAvailable();
        }

        @Override
        public void addSplits(List<SplitT> splits) {
            input.addSplits(splits);
        }

        @Override
        public void notifyNoMoreSplits() {
            input.notifyNoMoreSplits();
        }

        @Override
        public void handleSourceEvents(SourceEvent event) {
            input.handleSourceEvents(event);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            input.notifyCheckpointComplete(checkpointId);
            if (ended) {
                progress.checkpointCompletedAfterEnd(subtask);
            }
        }

        @Override
        public void pauseOrResumeSplits(
                java.util.Collection<String> toPause, java.util.Collection<String> toResume) {
            input.pauseOrResumeSplits(toPause, toResume);
        }

        @Override
        public void close() throws Exception {
            input.close();
        }
    }
}
