package io.rtcdp.udf.retail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetailImporterTest {

    private static final String HEADER =
            "invoice,stock_code,description,quantity,invoice_date,unit_price,customer_id,country,source\n";

    /**
     * Quoted commas, doubled quotes, a leading space, a guest row inside nothing and a guest-only
     * invoice, a refund with two lines, an invoice whose earlier line comes second, and three
     * invoices at the same minute (ordered by invoice).
     */
    private static final String SAMPLE =
            HEADER
                    + "500001,A1,\"GLASS BALL, RED\",2,2010-01-05 10:15:00,1.25,12345,United Kingdom,s1\n"
                    + "500001,A2,\"RECORD FRAME 7\"\" SINGLE SIZE \",3,2010-01-05 10:14:00,0.10,12345,United Kingdom,s1\n"
                    + "500003,A3,PLAIN,1,2010-01-05 09:00:00,9.99,,France,s1\n"
                    + "C500002,A1,\"GLASS BALL, RED\",-2,2010-01-05 11:00:00,1.25,12345,United Kingdom,s1\n"
                    + "C500002,A5,\"\"\"QUOTED\"\" NAME\",-1,2010-01-05 11:00:00,0.005,12345,United Kingdom,s1\n"
                    + "500004,A4,\" LEADING, \"\"SPACE\"\"\",10,2010-01-05 10:14:00,0.333,22222,\"Korea, Republic of\",s2\n"
                    + "500000,POST,POSTAGE,1,2010-01-05 10:14:00,40,33333,France,s2\n"
                    + "500005,A6,LATE LINE,1,2010-01-04 23:59:59,100,33333,France,s2\n"
                    + "500005,A7,EARLIER LINE,4,2010-01-04 23:58:00,2.50,33333,France,s2\n"
                    + "500006,A8,ONLY GUEST,1,2010-01-06 10:00:00,5,,United Kingdom,s2\n";

    private static final List<String> SAMPLE_EVENTS =
            List.of(
                    "{\"event_id\":\"retail-500005\",\"tenant\":\"acme\",\"type\":\"track\","
                            + "\"name\":\"order_completed\",\"ts\":\"2010-01-04T23:58:00Z\","
                            + "\"channel\":\"web\",\"ids\":{\"user_id\":\"33333\"},\"props\":{"
                            + "\"amount\":110,\"order_id\":\"500005\",\"currency\":\"GBP\","
                            + "\"items\":2,\"country\":\"France\"}}",
                    "{\"event_id\":\"retail-500000\",\"tenant\":\"acme\",\"type\":\"track\","
                            + "\"name\":\"order_completed\",\"ts\":\"2010-01-05T10:14:00Z\","
                            + "\"channel\":\"web\",\"ids\":{\"user_id\":\"33333\"},\"props\":{"
                            + "\"amount\":40,\"order_id\":\"500000\",\"currency\":\"GBP\","
                            + "\"items\":1,\"country\":\"France\"}}",
                    "{\"event_id\":\"retail-500001\",\"tenant\":\"acme\",\"type\":\"track\","
                            + "\"name\":\"order_completed\",\"ts\":\"2010-01-05T10:14:00Z\","
                            + "\"channel\":\"web\",\"ids\":{\"user_id\":\"12345\"},\"props\":{"
                            + "\"amount\":2.8,\"order_id\":\"500001\",\"currency\":\"GBP\","
                            + "\"items\":2,\"country\":\"United Kingdom\"}}",
                    "{\"event_id\":\"retail-500004\",\"tenant\":\"acme\",\"type\":\"track\","
                            + "\"name\":\"order_completed\",\"ts\":\"2010-01-05T10:14:00Z\","
                            + "\"channel\":\"web\",\"ids\":{\"user_id\":\"22222\"},\"props\":{"
                            + "\"amount\":3.33,\"order_id\":\"500004\",\"currency\":\"GBP\","
                            + "\"items\":1,\"country\":\"Korea, Republic of\"}}",
                    "{\"event_id\":\"retail-C500002\",\"tenant\":\"acme\",\"type\":\"track\","
                            + "\"name\":\"order_refunded\",\"ts\":\"2010-01-05T11:00:00Z\","
                            + "\"channel\":\"web\",\"ids\":{\"user_id\":\"12345\"},\"props\":{"
                            + "\"amount\":2.505,\"order_id\":\"C500002\",\"currency\":\"GBP\","
                            + "\"items\":2,\"country\":\"United Kingdom\"}}");

    @TempDir Path dir;

    @Test
    void sampleBecomesExactEvents() throws IOException {
        Path csv = write("sample.csv", SAMPLE);
        Path out = dir.resolve("out.jsonl");

        RetailImporter.Stats stats = RetailImporter.run(csv, out, "acme");

        assertThat(Files.readAllLines(out, StandardCharsets.UTF_8))
                .containsExactlyElementsOf(SAMPLE_EVENTS);
        assertThat(stats).isEqualTo(new RetailImporter.Stats(10, 2, 5, 4, 1, 3));
    }

    @Test
    void gzipInAndOutByExtensionWithDefaultTenant() throws IOException {
        Path csv = dir.resolve("sample.csv.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(csv))) {
            o.write(SAMPLE.getBytes(StandardCharsets.UTF_8));
        }
        Path out = dir.resolve("out.jsonl.gz");

        RetailImporter.run(csv, out);

        List<String> expected = new ArrayList<>();
        for (String e : SAMPLE_EVENTS) {
            expected.add(e.replace("\"tenant\":\"acme\"", "\"tenant\":\"retail\""));
        }
        assertThat(readLines(out)).containsExactlyElementsOf(expected);
    }

    @Test
    void rejectsBadTenantBeforeReading() {
        assertThatThrownBy(
                        () ->
                                RetailImporter.run(
                                        dir.resolve("absent.csv"), dir.resolve("o"), "Acme"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tenant");
    }

    @Test
    void malformedRowNamesItsLine() throws IOException {
        Path csv =
                write(
                        "bad.csv",
                        HEADER
                                + "1,A,X,1,2010-01-05 10:15:00,1.25,1,UK,s\n"
                                + "2,A,X,two,2010-01-05 10:15:00,1.25,1,UK,s\n");
        assertThatThrownBy(() -> RetailImporter.run(csv, dir.resolve("o.jsonl"), "acme"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad.csv: data row 2:")
                .hasMessageContaining("quantity 'two'");
    }

    @Test
    void missingColumnIsReported() throws IOException {
        Path csv = write("nocol.csv", "invoice,quantity,invoice_date,unit_price,country\n");
        assertThatThrownBy(() -> RetailImporter.run(csv, dir.resolve("o.jsonl"), "acme"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("customer_id");
    }

    @Test
    void badDateIsReported() throws IOException {
        Path csv = write("date.csv", HEADER + "1,A,X,1,2010-02-30 10:15:00,1.25,1,UK,s\n");
        assertThatThrownBy(() -> RetailImporter.run(csv, dir.resolve("o.jsonl"), "acme"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("date.csv: data row 1:")
                .hasMessageContaining("2010-02-30");
    }

    /**
     * The whole real data set against an oracle that parses the CSV by hand, line by line, and
     * finds each invoice's earliest time by comparing the date strings.
     */
    @Test
    void realDataSetMatchesIndependentParse() throws IOException {
        Path csv =
                Paths.get(
                        System.getProperty("rtcdp.retail.csv", "../data/online-retail-ii.csv.gz"));
        assertThat(Files.isReadable(csv))
                .as("the data set (data/ in the repository) at %s", csv.toAbsolutePath())
                .isTrue();
        Path out = dir.resolve("retail.jsonl.gz");

        long t0 = System.nanoTime();
        RetailImporter.Stats stats = RetailImporter.run(csv, out, "retail");
        long millis = (System.nanoTime() - t0) / 1_000_000;

        Oracle oracle = Oracle.of(csv);
        assertThat(stats)
                .isEqualTo(
                        new RetailImporter.Stats(
                                oracle.rows,
                                oracle.skipped,
                                oracle.invoices.size(),
                                oracle.invoices.size() - oracle.refunds(),
                                oracle.refunds(),
                                oracle.customers()));
        // Published figures of the data set (its README) and of a separate count of it.
        assertThat(stats.rows()).isEqualTo(1_044_847);
        assertThat(stats.customers()).isEqualTo(5_942);
        assertThat(stats.invoices()).isEqualTo(44_876);
        assertThat(stats.refunds()).isEqualTo(7_901);

        ObjectMapper json = new ObjectMapper();
        Map<String, OracleInvoice> seen = new HashMap<>();
        String previousKey = "";
        for (String line : readLines(out)) {
            JsonNode e = json.readTree(line);
            String id = e.get("props").get("order_id").asText();
            OracleInvoice o = oracle.invoices.get(id);
            assertThat(o).as("invoice %s", id).isNotNull();
            String ts = o.minDate.replace(' ', 'T') + "Z";
            assertThat(e.get("event_id").asText()).isEqualTo("retail-" + id);
            assertThat(e.get("ts").asText()).as(id).isEqualTo(ts);
            assertThat(e.get("name").asText())
                    .isEqualTo(id.startsWith("C") ? "order_refunded" : "order_completed");
            assertThat(e.get("ids").get("user_id").asText()).isEqualTo(o.customer);
            assertThat(new BigDecimal(e.get("props").get("amount").asText()))
                    .as(id)
                    .isEqualByComparingTo(id.startsWith("C") ? o.amount.abs() : o.amount);
            assertThat(e.get("props").get("items").asInt()).isEqualTo(o.items);
            assertThat(e.get("props").get("country").asText()).isEqualTo(o.country);
            String key = ts + " " + id;
            assertThat(key).isGreaterThan(previousKey);
            previousKey = key;
            seen.put(id, o);
        }
        assertThat(seen.keySet()).isEqualTo(oracle.invoices.keySet());
        System.out.printf("RetailImporter: %s in %d ms%n", stats, millis);
    }

    private static final class OracleInvoice {
        String customer;
        String country;
        String minDate;
        BigDecimal amount = BigDecimal.ZERO;
        int items;
    }

    private static final class Oracle {
        long rows;
        long skipped;
        final Map<String, OracleInvoice> invoices = new HashMap<>();

        static Oracle of(Path csv) throws IOException {
            Oracle o = new Oracle();
            try (BufferedReader r = reader(csv)) {
                r.readLine();
                String line;
                while ((line = r.readLine()) != null) {
                    List<String> f = split(line);
                    o.rows++;
                    if (f.get(6).isBlank()) {
                        o.skipped++;
                        continue;
                    }
                    OracleInvoice inv =
                            o.invoices.computeIfAbsent(f.get(0), k -> new OracleInvoice());
                    inv.customer = f.get(6);
                    inv.country = f.get(7);
                    if (inv.minDate == null || f.get(4).compareTo(inv.minDate) < 0) {
                        inv.minDate = f.get(4);
                    }
                    inv.amount =
                            inv.amount.add(
                                    new BigDecimal(f.get(3)).multiply(new BigDecimal(f.get(5))));
                    inv.items++;
                }
            }
            return o;
        }

        int refunds() {
            return (int) invoices.keySet().stream().filter(k -> k.startsWith("C")).count();
        }

        int customers() {
            Set<String> c = new HashSet<>();
            invoices.values().forEach(i -> c.add(i.customer));
            return c.size();
        }

        /** RFC 4180 fields of one physical line (the data set has no line breaks in fields). */
        static List<String> split(String line) {
            List<String> out = new ArrayList<>(9);
            StringBuilder cur = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quoted) {
                    if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else if (c == '"') {
                        quoted = false;
                    } else {
                        cur.append(c);
                    }
                } else if (c == '"') {
                    quoted = true;
                } else if (c == ',') {
                    out.add(cur.toString());
                    cur.setLength(0);
                } else {
                    cur.append(c);
                }
            }
            out.add(cur.toString());
            return out;
        }
    }

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    private static BufferedReader reader(Path p) throws IOException {
        InputStream in = Files.newInputStream(p);
        if (p.toString().endsWith(".gz")) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    }

    private static List<String> readLines(Path p) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = reader(p)) {
            String l;
            while ((l = r.readLine()) != null) {
                lines.add(l);
            }
        }
        return lines;
    }
}
