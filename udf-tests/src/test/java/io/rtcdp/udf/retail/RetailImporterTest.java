package io.rtcdp.udf.retail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtcdp.udf.event.Event;
import io.rtcdp.udf.event.EventParser;
import io.rtcdp.udf.event.OrderItem;
import io.rtcdp.udf.event.ParserConfig;
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
                            + "\"country\":\"France\",\"items\":[]}}",
                    "{\"event_id\":\"retail-500000\",\"tenant\":\"acme\",\"type\":\"track\","
                            + "\"name\":\"order_completed\",\"ts\":\"2010-01-05T10:14:00Z\","
                            + "\"channel\":\"web\",\"ids\":{\"user_id\":\"33333\"},\"props\":{"
                            + "\"amount\":40,\"order_id\":\"500000\",\"currency\":\"GBP\","
                            + "\"country\":\"France\",\"items\":[]}}",
                    "{\"event_id\":\"retail-500001\",\"tenant\":\"acme\",\"type\":\"track\","
                            + "\"name\":\"order_completed\",\"ts\":\"2010-01-05T10:14:00Z\","
                            + "\"channel\":\"web\",\"ids\":{\"user_id\":\"12345\"},\"props\":{"
                            + "\"amount\":2.8,\"order_id\":\"500001\",\"currency\":\"GBP\","
                            + "\"country\":\"United Kingdom\",\"items\":[]}}",
                    "{\"event_id\":\"retail-500004\",\"tenant\":\"acme\",\"type\":\"track\","
                            + "\"name\":\"order_completed\",\"ts\":\"2010-01-05T10:14:00Z\","
                            + "\"channel\":\"web\",\"ids\":{\"user_id\":\"22222\"},\"props\":{"
                            + "\"amount\":3.33,\"order_id\":\"500004\",\"currency\":\"GBP\","
                            + "\"country\":\"Korea, Republic of\",\"items\":[]}}",
                    "{\"event_id\":\"retail-C500002\",\"tenant\":\"acme\",\"type\":\"track\","
                            + "\"name\":\"order_refunded\",\"ts\":\"2010-01-05T11:00:00Z\","
                            + "\"channel\":\"web\",\"ids\":{\"user_id\":\"12345\"},\"props\":{"
                            + "\"amount\":2.505,\"order_id\":\"C500002\",\"currency\":\"GBP\","
                            + "\"country\":\"United Kingdom\",\"items\":[]}}");

    @TempDir Path dir;

    @Test
    void sampleBecomesExactEvents() throws IOException {
        Path csv = write("sample.csv", SAMPLE);
        Path out = dir.resolve("out.jsonl");

        RetailImporter.Stats stats = RetailImporter.run(csv, out, "acme");

        assertThat(Files.readAllLines(out, StandardCharsets.UTF_8))
                .containsExactlyElementsOf(SAMPLE_EVENTS);
        assertThat(stats).isEqualTo(new RetailImporter.Stats(10, 2, 5, 4, 1, 3, 0));
    }

    /**
     * Product lines (stock codes beginning with five digits) become items: merged by stock code and
     * price in first-line order; postage, manual, discount, fees, gift vouchers and tests are not
     * items, nor are lines of quantity 0 or a negative price; the amount is all lines, as before.
     */
    @Test
    void theProductLinesBecomeItems() throws Exception {
        String csv =
                HEADER
                        + "600001,85123A,HEART,6,2010-02-01 10:00:00,2.55,777,UK,s\n"
                        + "600001,POST,POSTAGE,1,2010-02-01 10:00:00,18,777,UK,s\n"
                        + "600001,22423,CAKESTAND,1,2010-02-01 10:00:00,12.75,777,UK,s\n"
                        + "600001,M,Manual,1,2010-02-01 10:00:00,5,777,UK,s\n"
                        + "600001,85123A,HEART,4,2010-02-01 10:00:00,2.550,777,UK,s\n"
                        + "600001,85123A,HEART,2,2010-02-01 10:00:00,2.1,777,UK,s\n"
                        + "600001, 15056BL ,UMBRELLA,3,2010-02-01 10:00:00,5.95,777,UK,s\n"
                        + "600001,gift_0001_10,VOUCHER,1,2010-02-01 10:00:00,8.5,777,UK,s\n"
                        + "600001,D,Discount,-1,2010-02-01 10:00:00,3,777,UK,s\n"
                        + "600001,C2,CARRIAGE,1,2010-02-01 10:00:00,50,777,UK,s\n"
                        + "600001,DOT,DOTCOM POSTAGE,1,2010-02-01 10:00:00,11.2,777,UK,s\n"
                        + "600001,BANK CHARGES,Bank,1,2010-02-01 10:00:00,15,777,UK,s\n"
                        + "600001,AMAZONFEE,Fee,1,2010-02-01 10:00:00,1.5,777,UK,s\n"
                        + "600001,TEST001,test,1,2010-02-01 10:00:00,4.5,777,UK,s\n"
                        + "600001,ADJUST,Adjust,1,2010-02-01 10:00:00,2,777,UK,s\n"
                        + "600001,1234X,FOUR DIGITS,1,2010-02-01 10:00:00,1,777,UK,s\n"
                        + "600001,84879,BIRD,0,2010-02-01 10:00:00,1.69,777,UK,s\n"
                        + "600001,84880,BAD DEBT,1,2010-02-01 10:00:00,-7,777,UK,s\n"
                        + "600001,85123a,HEART (lower case),1,2010-02-01 10:00:00,0,777,UK,s\n"
                        + "600001,22423,CAKESTAND,1,2010-02-01 10:00:00,12.75,777,UK,s\n";
        Path out = dir.resolve("items.jsonl");

        RetailImporter.Stats stats = RetailImporter.run(write("items.csv", csv), out, "acme");

        JsonNode props = new ObjectMapper().readTree(Files.readString(out)).get("props");
        assertThat(props.get("items").toString())
                .isEqualTo(
                        "[{\"sku\":\"85123A\",\"quantity\":10,\"price\":2.55},"
                                + "{\"sku\":\"22423\",\"quantity\":2,\"price\":12.75},"
                                + "{\"sku\":\"85123A\",\"quantity\":2,\"price\":2.1},"
                                + "{\"sku\":\"15056BL\",\"quantity\":3,\"price\":5.95},"
                                + "{\"sku\":\"85123a\",\"quantity\":1,\"price\":0}]");
        // every line counts in the amount, as before items
        assertThat(props.get("amount").decimalValue()).isEqualByComparingTo("179.75");
        assertThat(stats.itemsCut()).isZero();
        Event e = new EventParser(ParserConfig.builder().build()).parse(Files.readAllBytes(out));
        assertThat(e.items())
                .extracting(OrderItem::sku, OrderItem::quantity, OrderItem::priceMicros)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("85123A", 10L, 2_550_000L),
                        org.assertj.core.groups.Tuple.tuple("22423", 2L, 12_750_000L),
                        org.assertj.core.groups.Tuple.tuple("85123A", 2L, 2_100_000L),
                        org.assertj.core.groups.Tuple.tuple("15056BL", 3L, 5_950_000L),
                        org.assertj.core.groups.Tuple.tuple("85123a", 1L, 0L));
    }

    /** A refund's lines have negative quantities in the file; its items, positive ones. */
    @Test
    void aRefundsItemsHavePositiveQuantities() throws IOException {
        String csv =
                HEADER
                        + "C600002,85123A,HEART,-6,2010-02-01 10:00:00,2.55,777,UK,s\n"
                        + "C600002,85123A,HEART,-1,2010-02-01 10:00:00,2.55,777,UK,s\n"
                        + "C600002,POST,POSTAGE,-1,2010-02-01 10:00:00,18,777,UK,s\n"
                        + "C600002,22423,CAKESTAND,-2,2010-02-01 10:00:00,12.75,777,UK,s\n";
        Path out = dir.resolve("refund.jsonl");

        RetailImporter.run(write("refund.csv", csv), out, "acme");

        JsonNode e = new ObjectMapper().readTree(Files.readString(out));
        assertThat(e.get("name").asText()).isEqualTo("order_refunded");
        assertThat(e.get("props").get("amount").decimalValue()).isEqualByComparingTo("61.35");
        assertThat(e.get("props").get("items").toString())
                .isEqualTo(
                        "[{\"sku\":\"85123A\",\"quantity\":7,\"price\":2.55},"
                                + "{\"sku\":\"22423\",\"quantity\":2,\"price\":12.75}]");
    }

    /**
     * An invoice of 1,800 product lines makes more than 64 KiB of items: the event keeps the most
     * valuable lines that fit (here the last ones: line i is worth i + 1), in file order, is valid
     * for the parser, and is counted; another invoice keeps all its lines.
     */
    @Test
    void anInvoiceWhoseItemsWouldPassSixtyFourKibKeepsItsMostValuableLines() throws Exception {
        StringBuilder csv = new StringBuilder(HEADER);
        int lines = 1800;
        for (int i = 0; i < lines; i++) {
            csv.append("600003,")
                    .append(10000 + i)
                    .append("LONGERSTOCKCODE,X,")
                    .append(i + 1)
                    .append(",2010-02-01 10:00:00,1,777,UK,s\n");
        }
        csv.append("600004,85123A,HEART,1,2010-02-02 10:00:00,2.55,777,UK,s\n");
        Path out = dir.resolve("cut.jsonl");

        RetailImporter.Stats stats =
                RetailImporter.run(write("cut.csv", csv.toString()), out, "acme");

        assertThat(stats.itemsCut()).isEqualTo(1);
        List<String> written = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(written).hasSize(2);
        String big = written.get(0);
        int bytes = big.getBytes(StandardCharsets.UTF_8).length;
        assertThat(bytes).isLessThanOrEqualTo(RetailImporter.MAX_LINE_BYTES);
        JsonNode e = new ObjectMapper().readTree(big);
        JsonNode items = e.get("props").get("items");
        int kept = items.size();
        assertThat(kept).isBetween(1, lines - 1);
        // the last `kept` lines, in file order
        for (int k = 0; k < kept; k++) {
            int i = lines - kept + k;
            assertThat(items.get(k).get("sku").asText()).isEqualTo((10000 + i) + "LONGERSTOCKCODE");
            assertThat(items.get(k).get("quantity").asLong()).isEqualTo(i + 1);
        }
        // as many as fit: the next most valuable line would not have
        String next =
                "{\"sku\":\""
                        + (10000 + lines - kept - 1)
                        + "LONGERSTOCKCODE\",\"quantity\":"
                        + (lines - kept)
                        + ",\"price\":1}";
        assertThat(bytes + 1 + next.length()).isGreaterThan(RetailImporter.MAX_LINE_BYTES);
        // the amount is every line's, as before
        assertThat(e.get("props").get("amount").asLong()).isEqualTo((long) lines * (lines + 1) / 2);
        Event parsed =
                new EventParser(ParserConfig.builder().build())
                        .parse(big.getBytes(StandardCharsets.UTF_8));
        assertThat(parsed.items()).hasSize(kept);
        assertThat(new ObjectMapper().readTree(written.get(1)).get("props").get("items").size())
                .isEqualTo(1);
    }

    /** Invoices of many lines each worth the same keep their first lines. */
    @Test
    void equallyValuableLinesAreKeptInFileOrder() throws IOException {
        StringBuilder csv = new StringBuilder(HEADER);
        int lines = 2500;
        for (int i = 0; i < lines; i++) {
            csv.append("600005,").append(10000 + i).append(",X,1,2010-02-01 10:00:00,1,777,UK,s\n");
        }
        Path out = dir.resolve("same.jsonl");

        RetailImporter.Stats stats =
                RetailImporter.run(write("same.csv", csv.toString()), out, "acme");

        assertThat(stats.itemsCut()).isEqualTo(1);
        String line = Files.readString(out).strip();
        assertThat(line.getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(RetailImporter.MAX_LINE_BYTES);
        JsonNode items = new ObjectMapper().readTree(line).get("props").get("items");
        assertThat(items.size()).isLessThan(EventParser.MAX_ITEMS);
        for (int k = 0; k < items.size(); k++) {
            assertThat(items.get(k).get("sku").asText()).isEqualTo(String.valueOf(10000 + k));
        }
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
    void realDataSetMatchesIndependentParse() throws Exception {
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
                                oracle.customers(),
                                0));
        // Published figures of the data set (its README) and of a separate count of it.
        assertThat(stats.rows()).isEqualTo(1_044_847);
        assertThat(stats.customers()).isEqualTo(5_942);
        assertThat(stats.invoices()).isEqualTo(44_876);
        assertThat(stats.refunds()).isEqualTo(7_901);

        ObjectMapper json = new ObjectMapper();
        EventParser parser = new EventParser(ParserConfig.builder().build());
        Map<String, OracleInvoice> seen = new HashMap<>();
        String previousKey = "";
        long items = 0;
        int longest = 0;
        for (String line : readLines(out)) {
            JsonNode e = json.readTree(line);
            byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            longest = Math.max(longest, bytes.length);
            Event parsed = parser.parse(bytes);
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
            List<String> expectedItems = new ArrayList<>();
            for (Map.Entry<String, Long> l : o.items.entrySet()) {
                String[] skuPrice = l.getKey().split(" ");
                expectedItems.add(
                        skuPrice[0]
                                + " x"
                                + l.getValue()
                                + " @"
                                + new BigDecimal(skuPrice[1])
                                        .movePointRight(6)
                                        .setScale(0, java.math.RoundingMode.HALF_EVEN)
                                        .longValueExact());
            }
            assertThat(parsed.items())
                    .as(id)
                    .map(i -> i.sku() + " x" + i.quantity() + " @" + i.priceMicros())
                    .containsExactlyElementsOf(expectedItems);
            items += parsed.items().size();
            assertThat(e.get("props").get("country").asText()).isEqualTo(o.country);
            String key = ts + " " + id;
            assertThat(key).isGreaterThan(previousKey);
            previousKey = key;
            seen.put(id, o);
        }
        assertThat(seen.keySet()).isEqualTo(oracle.invoices.keySet());
        System.out.printf(
                "RetailImporter: %s in %d ms; %d items, longest event %d bytes%n",
                stats, millis, items, longest);
    }

    private static final class OracleInvoice {
        String customer;
        String country;
        String minDate;
        BigDecimal amount = BigDecimal.ZERO;

        /** "sku price" (the price without trailing zeros) to the sum of |quantity|, in order. */
        final Map<String, Long> items = new java.util.LinkedHashMap<>();
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
                    BigDecimal quantity = new BigDecimal(f.get(3));
                    BigDecimal price = new BigDecimal(f.get(5));
                    inv.amount = inv.amount.add(quantity.multiply(price));
                    String code = f.get(1).trim();
                    if (code.matches("[0-9]{5}.*")
                            && quantity.signum() != 0
                            && price.signum() >= 0) {
                        inv.items.merge(
                                code + " " + price.stripTrailingZeros().toPlainString(),
                                quantity.abs().longValueExact(),
                                Long::sum);
                    }
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
