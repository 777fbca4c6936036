package io.rtcdp.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.udf.ml.LogisticModel;
import io.rtcdp.udf.ml.ModelIo;
import io.rtcdp.udf.ml.ModelMessages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rtcdp train} and {@code rtcdp evaluate}: bad arguments exit 2, a small history trains. */
class ModelCommandsTest {
    @TempDir Path tmp;

    private static String[] run(String... args) {
        CliRun r = CliRun.of(args);
        return new String[] {Integer.toString(r.code()), r.err().trim(), r.out()};
    }

    private Path events() throws Exception {
        // 60 people over a year; the odd ones order every ~20 days, the even ones stop in March.
        List<String> lines = new ArrayList<>();
        Random r = new Random(7);
        long day = 86_400_000L;
        long start = 1_293_840_000_000L; // 2011-01-01
        int n = 0;
        for (int p = 0; p < 60; p++) {
            long t = start + r.nextInt(20) * day;
            long end = p % 2 == 0 ? start + 70 * day : start + 360 * day;
            while (t < end) {
                lines.add(
                        String.format(
                                "{\"event_id\":\"e%d\",\"tenant\":\"t\",\"type\":\"track\","
                                        + "\"name\":\"order_completed\",\"ts\":%d,"
                                        + "\"ids\":{\"user_id\":\"u%d\"},\"props\":{\"amount\":%d}}",
                                n++, t, p, 10 + r.nextInt(90)));
                t += (10 + r.nextInt(20)) * day;
            }
        }
        Path f = tmp.resolve("events.jsonl");
        Files.write(f, lines);
        return f;
    }

    /** One order per person: no repeat purchase, nothing BG/NBD can be fitted to. */
    private Path singleOrders() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int p = 0; p < 50; p++) {
            lines.add(
                    String.format(
                            "{\"event_id\":\"s%d\",\"tenant\":\"t\",\"type\":\"track\","
                                    + "\"name\":\"order_completed\",\"ts\":%d,"
                                    + "\"ids\":{\"user_id\":\"u%d\"},\"props\":{\"amount\":10}}",
                            p, 1_293_840_000_000L + p * 86_400_000L, p));
        }
        Path f = tmp.resolve("single.jsonl");
        Files.write(f, lines);
        return f;
    }

    @Test
    void badArgumentsExitWithTwo() throws Exception {
        Path in = events();
        String out = tmp.resolve("m").toString();
        String[][] cases = {
            {
                "train",
                "--input",
                in.toString(),
                "--until",
                "2011-13-01",
                "--model",
                "churn",
                "--out",
                out
            },
            {
                "train",
                "--input",
                in.toString(),
                "--until",
                "2011-09-01",
                "--model",
                "ltv",
                "--out",
                out
            },
            {
                "train",
                "--input",
                tmp.resolve("none.jsonl").toString(),
                "--until",
                "2011-09-01",
                "--model",
                "churn",
                "--out",
                out
            },
            {"train", "--input", in.toString(), "--until", "2011-09-01", "--model", "churn"},
            {
                "train",
                "--input",
                in.toString(),
                "--until",
                "2011-01-10",
                "--model",
                "churn",
                "--out",
                out
            },
            {
                "train",
                "--input",
                in.toString(),
                "--until",
                "2011-09-01",
                "--model",
                "churn",
                "--out",
                out,
                "--inputs",
                "everything"
            },
            {
                "train",
                "--input",
                singleOrders().toString(),
                "--until",
                "2011-09-01",
                "--model",
                "churn",
                "--out",
                out
            },
            {"evaluate", "--input", in.toString()},
            {"evaluate", "--input", in.toString(), "--cutoff", "soon"},
            {"evaluate", "--input", in.toString(), "--cutoff", "2011-12-01"},
        };
        for (String[] args : cases) {
            String[] r = run(args);
            assertThat(r[0]).as(String.join(" ", args)).isEqualTo("2");
            assertThat(r[1]).as(String.join(" ", args)).startsWith("rtcdp: ").doesNotContain("\n");
        }
    }

    @Test
    void trainWritesAModelThatEvaluateAndTheServableRead() throws Exception {
        Path in = events();
        Path dir = tmp.resolve("churn");
        String[] r =
                run(
                        "train",
                        "--input",
                        in.toString(),
                        "--until",
                        "2011-09-01",
                        "--model",
                        "churn",
                        "--out",
                        dir.toString(),
                        "--model-version",
                        "5");
        assertThat(r[0]).as(r[1]).isEqualTo("0");
        LogisticModel m = ModelIo.read(dir);
        assertThat(m.name()).isEqualTo("churn");
        assertThat(m.version()).isEqualTo(5);
        assertThat(m.trainedUntil()).isEqualTo(1_314_835_200_000L);
        // The people who stopped are the churners, which the features show plainly.
        assertThat(m.metrics().get("train_auc")).isGreaterThan(0.9);
        // the extended inputs by default, with BG/NBD's parameters fitted by --until
        assertThat(m.spec().usesBgNbd()).isTrue();
        assertThat(m.spec().bgNbd()).isNotNull();

        Path online = tmp.resolve("online");
        r =
                run(
                        "evaluate",
                        "--input",
                        in.toString(),
                        "--cutoff",
                        "2011-06-01",
                        "--out",
                        online.toString());
        assertThat(r[0]).as(r[1]).isEqualTo("0");
        assertThat(r[2]).contains("churn 90d", "purchase 30d", "online", "batch", "recency");
        // the online models at the cutoff, as a models directory the job and the servable read
        for (String name : List.of("purchase", "churn")) {
            LogisticModel o = ModelIo.read(online.resolve(name));
            assertThat(o.name()).isEqualTo(name);
            assertThat(o.trainedUntil()).isLessThanOrEqualTo(1_306_886_400_000L);
            assertThat(o.spec().usesBgNbd()).isTrue();
            assertThat(o.spec().bgNbd()).isNotNull();
            assertThat(r[2]).contains("wrote the online " + name + " model");
        }
        assertThat(ModelMessages.readDirectory(online)).hasSize(2);
    }
}
