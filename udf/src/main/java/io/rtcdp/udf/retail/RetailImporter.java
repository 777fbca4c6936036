package io.rtcdp.udf.retail;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import io.rtcdp.udf.event.EventParser;
import io.rtcdp.udf.event.ParserConfig;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Turns the UCI Online Retail II transactions (one CSV row per invoice line) into events
 * (docs/contract.md §1), one {@code order_completed} or {@code order_refunded} per invoice, so that
 * a real purchase history can be replayed through the pipeline.
 *
 * <p>An event's {@code props.amount} is the sum of quantity × unit price over all of the invoice's
 * lines (positive for a refund). Its {@code props.items} are the invoice's product lines: stock
 * codes that begin with five digits ({@code 85123A}, {@code 22423}, {@code 15056BL}; not {@code
 * POST}, {@code M}, {@code D}, {@code C2}, {@code DOT}, {@code BANK CHARGES}, {@code AMAZONFEE},
 * {@code gift_0001_10}, …, which count in the amount only), with a quantity other than 0 and a unit
 * price of at least 0. Each is {@code {"sku", "quantity", "price"}}: the stock code as in the file
 * (trimmed), the absolute quantity (a refund's lines are positive too) and the unit price; the data
 * set has no categories. Lines of the same stock code and unit price are one item, their quantities
 * summed, in the order of their first line. An event must fit the parser's record limit ({@value
 * #MAX_LINE_BYTES} bytes) and item limit ({@value EventParser#MAX_ITEMS}): an invoice whose items
 * would not keeps those with the largest quantity × price that fit, still in first-line order, and
 * is counted ({@link Stats#itemsCut()}).
 *
 * <p>Invoices are grouped in memory (about 54k of them): the file is not sorted by time across its
 * two source sheets, and an invoice's lines may carry different minutes, so an invoice's event time
 * (its earliest line) is only known once the whole file has been read. Rows without a customer id
 * (guest checkouts) cannot be attributed to a profile and are skipped and counted.
 *
 * <p>Input and output are gzip-compressed when their file name ends in {@code .gz}.
 */
public final class RetailImporter {

    public static final String DEFAULT_TENANT = "retail";

    /**
     * What an import read and wrote.
     *
     * @param rows data rows read (the header excluded)
     * @param skippedNoCustomer rows skipped because their customer id is empty
     * @param invoices events written, {@code orders + refunds}
     * @param orders {@code order_completed} events written
     * @param refunds {@code order_refunded} events written (invoices starting with {@code C})
     * @param customers distinct customer ids among the events written
     * @param itemsCut events whose {@code props.items} hold only some of the invoice's product
     *     lines, the most valuable ones, so that the event fits {@value #MAX_LINE_BYTES} bytes
     */
    public record Stats(
            long rows,
            long skippedNoCustomer,
            int invoices,
            int orders,
            int refunds,
            int customers,
            int itemsCut) {}

    /** The longest event line: the parser's record limit (its default). */
    static final int MAX_LINE_BYTES = ParserConfig.DEFAULT_MAX_RECORD_BYTES;

    /**
     * Stock codes of products: five digits, then at most what a sku may have (docs/contract.md §1),
     * without control characters.
     */
    private static final Pattern PRODUCT_CODE =
            Pattern.compile(
                    "[0-9]{5}[^\\p{Cc}\\u2028\\u2029]{0," + (EventParser.MAX_SKU_LENGTH - 5) + "}");

    private static final BigDecimal MAX_QUANTITY =
            BigDecimal.valueOf(EventParser.MAX_ITEM_QUANTITY);
    private static final BigDecimal MAX_PRICE = BigDecimal.valueOf(EventParser.MAX_ABS_AMOUNT);

    private static final Pattern TENANT = Pattern.compile("[a-z0-9_-]{1,64}");

    private static final DateTimeFormatter INVOICE_DATE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss")
                    .withResolverStyle(ResolverStyle.STRICT);

    private static final String[] REQUIRED_COLUMNS = {
        "invoice", "quantity", "invoice_date", "unit_price", "customer_id", "country", "stock_code"
    };
    // Positions in REQUIRED_COLUMNS.
    private static final int INVOICE = 0;
    private static final int QUANTITY = 1;
    private static final int DATE = 2;
    private static final int UNIT_PRICE = 3;
    private static final int CUSTOMER = 4;
    private static final int COUNTRY = 5;
    private static final int STOCK_CODE = 6;

    private static final int IO_BUFFER = 1 << 16;

    private RetailImporter() {}

    /** {@link #run(Path, Path, String)} for the default tenant {@code retail}. */
    public static Stats run(Path csv, Path out) throws IOException {
        return run(csv, out, DEFAULT_TENANT);
    }

    /**
     * Reads {@code csv} and writes one event per invoice to {@code out}, in ascending (event time,
     * invoice) order; invoices compare as strings.
     *
     * @throws IllegalArgumentException if the tenant is not a valid tenant name, or the CSV lacks a
     *     required column or has a malformed row (the message names the data row)
     */
    public static Stats run(Path csv, Path out, String tenant) throws IOException {
        if (tenant == null || !TENANT.matcher(tenant).matches()) {
            throw new IllegalArgumentException(
                    "tenant must match [a-z0-9_-]{1,64}, got: " + tenant);
        }
        Grouped grouped = read(csv);
        List<Invoice> sorted = new ArrayList<>(grouped.invoices.values());
        sorted.sort(Comparator.comparingLong((Invoice i) -> i.tsMillis).thenComparing(i -> i.id));
        Written written = write(sorted, out, tenant);
        Set<String> customers = new HashSet<>();
        for (Invoice i : sorted) {
            customers.add(i.customer);
        }
        return new Stats(
                grouped.rows,
                grouped.skippedNoCustomer,
                sorted.size(),
                sorted.size() - written.refunds,
                written.refunds,
                customers.size(),
                written.itemsCut);
    }

    /** One invoice being accumulated from its lines. */
    private static final class Invoice {
        final String id;
        final String customer;
        final String country;
        long tsMillis = Long.MAX_VALUE;
        BigDecimal amount = BigDecimal.ZERO;

        /** The product lines, in the file's order, not yet merged. */
        final List<Line> lines = new ArrayList<>(4);

        Invoice(String id, String customer, String country) {
            this.id = id;
            this.customer = customer;
            this.country = country;
        }

        boolean isRefund() {
            return id.startsWith("C");
        }
    }

    /**
     * A product line of an invoice: its stock code, its unit price ({@link #canonical}, so that
     * equal prices are equal) and its absolute quantity.
     */
    private record Line(String sku, BigDecimal price, long quantity) {}

    /** An item of an event: the lines of one stock code and price, merged. */
    private static final class Item {
        final String sku;
        final BigDecimal price;
        long quantity;

        Item(String sku, BigDecimal price, long quantity) {
            this.sku = sku;
            this.price = price;
            this.quantity = quantity;
        }

        BigDecimal value() {
            return price.multiply(BigDecimal.valueOf(quantity));
        }
    }

    private record Grouped(Map<String, Invoice> invoices, long rows, long skippedNoCustomer) {}

    private static Grouped read(Path csv) throws IOException {
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        Map<String, Invoice> invoices = new HashMap<>(1 << 17);
        long rows = 0;
        long skipped = 0;
        try (BufferedReader reader = openReader(csv);
                MappingIterator<String[]> it =
                        mapper.readerFor(String[].class).readValues(reader)) {
            if (!it.hasNext()) {
                throw new IllegalArgumentException(csv + ": empty file, expected a header row");
            }
            int[] col = columnIndexes(csv, it.next());
            int width = 0;
            for (int c : col) {
                width = Math.max(width, c + 1);
            }
            // Rows of one invoice are adjacent and share their date, so one cached parse saves
            // almost every date parse.
            String lastDate = null;
            long lastDateMillis = 0;
            // The same few thousand stock codes and prices on a million lines: kept once each.
            Map<String, String> skus = new HashMap<>();
            Map<BigDecimal, BigDecimal> prices = new HashMap<>();
            while (it.hasNext()) {
                String[] fields = it.next();
                // Errors name the data row, not the physical line: a quoted field may span lines.
                long row = ++rows;
                if (fields.length < width) {
                    throw malformed(csv, row, "expected at least " + width + " columns");
                }
                String customer = fields[col[CUSTOMER]].trim();
                if (customer.isEmpty()) {
                    skipped++;
                    continue;
                }
                String invoiceId = fields[col[INVOICE]].trim();
                if (invoiceId.isEmpty()) {
                    throw malformed(csv, row, "empty invoice");
                }
                Invoice inv = invoices.get(invoiceId);
                if (inv == null) {
                    inv = new Invoice(invoiceId, customer, fields[col[COUNTRY]].trim());
                    invoices.put(invoiceId, inv);
                } else if (!inv.customer.equals(customer)) {
                    throw malformed(
                            csv,
                            row,
                            String.format(
                                    "invoice %s has customers %s and %s",
                                    invoiceId, inv.customer, customer));
                }
                String date = fields[col[DATE]];
                if (!date.equals(lastDate)) {
                    lastDateMillis = parseDate(csv, row, date);
                    lastDate = date;
                }
                BigDecimal quantity = decimal(csv, row, "quantity", fields[col[QUANTITY]]);
                BigDecimal unitPrice = decimal(csv, row, "unit_price", fields[col[UNIT_PRICE]]);
                inv.tsMillis = Math.min(inv.tsMillis, lastDateMillis);
                inv.amount = inv.amount.add(quantity.multiply(unitPrice));
                String code = fields[col[STOCK_CODE]].strip();
                if (isItem(code, quantity, unitPrice)) {
                    BigDecimal price = canonical(unitPrice);
                    inv.lines.add(
                            new Line(
                                    skus.computeIfAbsent(code, c -> c),
                                    prices.computeIfAbsent(price, p -> p),
                                    quantity.abs().longValueExact()));
                }
            }
        }
        return new Grouped(invoices, rows, skipped);
    }

    /**
     * Whether a line is an item: a product's stock code, a whole quantity other than 0 of at most
     * {@value EventParser#MAX_ITEM_QUANTITY} (either sign), a unit price from 0 to {@value
     * EventParser#MAX_ABS_AMOUNT}.
     */
    private static boolean isItem(String stockCode, BigDecimal quantity, BigDecimal unitPrice) {
        return PRODUCT_CODE.matcher(stockCode).matches()
                && quantity.signum() != 0
                && quantity.stripTrailingZeros().scale() <= 0
                && quantity.abs().compareTo(MAX_QUANTITY) <= 0
                && unitPrice.signum() >= 0
                && unitPrice.compareTo(MAX_PRICE) <= 0;
    }

    /**
     * An invoice's items: its lines of the same stock code and price merged (quantities summed, up
     * to {@value EventParser#MAX_ITEM_QUANTITY}: beyond, a new item of the same code begins), in
     * the order of their first line.
     */
    private static List<Item> items(List<Line> lines) {
        List<Item> items = new ArrayList<>(lines.size());
        Map<Line, Item> open = new HashMap<>();
        for (Line l : lines) {
            Line key = new Line(l.sku(), l.price(), 0);
            Item item = open.get(key);
            if (item != null && item.quantity <= EventParser.MAX_ITEM_QUANTITY - l.quantity()) {
                item.quantity += l.quantity();
            } else {
                item = new Item(l.sku(), l.price(), l.quantity());
                items.add(item);
                open.put(key, item);
            }
        }
        return items;
    }

    private static int[] columnIndexes(Path csv, String[] header) {
        int[] idx = new int[REQUIRED_COLUMNS.length];
        for (int i = 0; i < REQUIRED_COLUMNS.length; i++) {
            idx[i] = -1;
            for (int j = 0; j < header.length; j++) {
                if (header[j].trim().equalsIgnoreCase(REQUIRED_COLUMNS[i])) {
                    idx[i] = j;
                    break;
                }
            }
            if (idx[i] < 0) {
                throw new IllegalArgumentException(
                        csv
                                + ": header lacks column '"
                                + REQUIRED_COLUMNS[i]
                                + "', expected "
                                + String.join(",", REQUIRED_COLUMNS));
            }
        }
        return idx;
    }

    private static long parseDate(Path csv, long row, String s) {
        try {
            // The data set's times are UK local time; docs/contract.md §1.3 wants an instant,
            // and taking them as UTC keeps the history's calendar days and hours as published.
            return LocalDateTime.parse(s.trim(), INVOICE_DATE).toEpochSecond(ZoneOffset.UTC)
                    * 1000L;
        } catch (DateTimeParseException e) {
            throw malformed(csv, row, "invoice_date '" + s + "' is not YYYY-MM-DD HH:MM:SS");
        }
    }

    private static BigDecimal decimal(Path csv, long row, String column, String s) {
        try {
            return new BigDecimal(s.trim());
        } catch (NumberFormatException e) {
            throw malformed(csv, row, column + " '" + s + "' is not a decimal number");
        }
    }

    private static IllegalArgumentException malformed(Path csv, long row, String why) {
        return new IllegalArgumentException(csv + ": data row " + row + ": " + why);
    }

    private record Written(int refunds, int itemsCut) {}

    private static final JsonFactory JSON =
            JsonFactory.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

    /** Writes the events; returns the number of refunds and of events whose items were cut. */
    private static Written write(List<Invoice> sorted, Path out, String tenant) throws IOException {
        int refunds = 0;
        int itemsCut = 0;
        ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
        try (OutputStream o = openOutput(out)) {
            for (Invoice inv : sorted) {
                if (inv.isRefund()) {
                    refunds++;
                }
                List<Item> items = items(inv.lines);
                line.reset();
                writeEvent(line, inv, tenant, items);
                if (line.size() > MAX_LINE_BYTES || items.size() > EventParser.MAX_ITEMS) {
                    itemsCut++;
                    items = fitting(inv, tenant, items);
                    line.reset();
                    writeEvent(line, inv, tenant, items);
                    if (line.size() > MAX_LINE_BYTES) {
                        // only when the invoice's other fields alone are too long
                        throw new IllegalArgumentException(
                                "invoice "
                                        + inv.id
                                        + " makes an event of "
                                        + line.size()
                                        + " bytes, more than "
                                        + MAX_LINE_BYTES);
                    }
                }
                line.writeTo(o);
                o.write('\n');
            }
        }
        return new Written(refunds, itemsCut);
    }

    /** Writes the event of {@code inv} with {@code items} as one line of JSON, without line end. */
    private static void writeEvent(OutputStream out, Invoice inv, String tenant, List<Item> items)
            throws IOException {
        boolean refund = inv.isRefund();
        BigDecimal amount = refund ? inv.amount.abs() : inv.amount;
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("event_id", "retail-" + inv.id);
            g.writeStringField("tenant", tenant);
            g.writeStringField("type", "track");
            g.writeStringField("name", refund ? "order_refunded" : "order_completed");
            g.writeStringField("ts", Instant.ofEpochMilli(inv.tsMillis).toString());
            g.writeStringField("channel", "web");
            g.writeObjectFieldStart("ids");
            g.writeStringField("user_id", inv.customer);
            g.writeEndObject();
            g.writeObjectFieldStart("props");
            g.writeFieldName("amount");
            g.writeNumber(canonical(amount));
            g.writeStringField("order_id", inv.id);
            g.writeStringField("currency", "GBP");
            g.writeStringField("country", inv.country);
            g.writeArrayFieldStart("items");
            for (Item item : items) {
                writeItem(g, item);
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndObject();
        }
    }

    private static void writeItem(JsonGenerator g, Item item) throws IOException {
        g.writeStartObject();
        g.writeStringField("sku", item.sku);
        g.writeNumberField("quantity", item.quantity);
        g.writeFieldName("price");
        g.writeNumber(item.price);
        g.writeEndObject();
    }

    /**
     * The items of an event that would be too long (or have too many): those with the largest
     * quantity × price (ties: the earlier first), as many as fit, in their first-line order.
     */
    private static List<Item> fitting(Invoice inv, String tenant, List<Item> items)
            throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(1024);
        writeEvent(buf, inv, tenant, List.of());
        long size = buf.size(); // with "items":[]
        Integer[] byValue = new Integer[items.size()];
        for (int i = 0; i < byValue.length; i++) {
            byValue[i] = i;
        }
        // stable: equal values keep their order
        Arrays.sort(byValue, (a, b) -> items.get(b).value().compareTo(items.get(a).value()));
        boolean[] kept = new boolean[items.size()];
        int n = 0;
        for (int i : byValue) {
            buf.reset();
            try (JsonGenerator g = JSON.createGenerator(buf)) {
                writeItem(g, items.get(i));
            }
            long more = buf.size() + (n == 0 ? 0 : 1); // and a comma
            if (n == EventParser.MAX_ITEMS || size + more > MAX_LINE_BYTES) {
                break;
            }
            size += more;
            kept[i] = true;
            n++;
        }
        List<Item> fit = new ArrayList<>(n);
        for (int i = 0; i < kept.length; i++) {
            if (kept[i]) {
                fit.add(items.get(i));
            }
        }
        return fit;
    }

    /** The shortest exact form: {@code 2.80} becomes {@code 2.8}, {@code 100.00} becomes 100. */
    static BigDecimal canonical(BigDecimal d) {
        BigDecimal s = d.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    private static BufferedReader openReader(Path p) throws IOException {
        InputStream in = Files.newInputStream(p);
        try {
            if (p.getFileName().toString().endsWith(".gz")) {
                in = new GZIPInputStream(in, IO_BUFFER);
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), IO_BUFFER);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private static OutputStream openOutput(Path p) throws IOException {
        OutputStream out = Files.newOutputStream(p);
        try {
            if (p.getFileName().toString().endsWith(".gz")) {
                out = new GZIPOutputStream(out, IO_BUFFER);
            }
            return new BufferedOutputStream(out, IO_BUFFER);
        } catch (IOException | RuntimeException e) {
            out.close();
            throw e;
        }
    }
}
