package io.rtcdp.udf.gen;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A plain reading of docs/contract.md §1 (input events) and §2.1 (id normalisation), written for
 * the tests only and independent of the generator: what a correct parser must say about a record.
 */
final class ContractOracle {
    static final ObjectMapper JSON = new ObjectMapper();

    private static final Pattern TENANT = Pattern.compile("[a-z0-9_-]{1,64}");
    private static final Pattern CUSTOM_ID = Pattern.compile("x_[a-z0-9_]{1,32}");
    private static final Set<String> TYPES =
            Set.of("track", "page", "identify", "consent", "forget");
    static final Set<String> ID_TYPES =
            Set.of("user_id", "phone", "email", "union_id", "device_id", "cookie_id");
    private static final long DAY = 86_400_000L;
    private static final Pattern PHONE_PUNCTUATION = Pattern.compile("[\\s\\-()]");

    private ContractOracle() {}

    /** The dead-letter code of a record at processing time {@code now}, or null if it is valid. */
    static String classify(String line, long now) {
        if (line.getBytes(StandardCharsets.UTF_8).length > 64 * 1024) {
            return "oversize";
        }
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return "bad_json";
        }
        if (n == null || n.isMissingNode()) {
            return "bad_json";
        }
        if (!n.isObject()) {
            return "not_an_object";
        }
        for (String f : new String[] {"event_id", "tenant", "type", "ts", "ids"}) {
            if (!n.hasNonNull(f)) {
                return "missing_field";
            }
        }
        JsonNode id = n.get("event_id");
        if (!id.isTextual() || id.asText().isEmpty() || id.asText().length() > 128) {
            return "invalid_field";
        }
        JsonNode tenant = n.get("tenant");
        if (!tenant.isTextual() || !TENANT.matcher(tenant.asText()).matches()) {
            return "invalid_field";
        }
        if (!n.get("type").isTextual()) {
            return "invalid_field";
        }
        if (!TYPES.contains(n.get("type").asText())) {
            return "unknown_type";
        }
        if (n.get("type").asText().equals("track")) {
            if (!n.hasNonNull("name")) {
                return "missing_field";
            }
            if (!n.get("name").isTextual()) {
                return "invalid_field";
            }
        }
        Long ts = tsMillis(n.get("ts"));
        if (ts == null) {
            return "bad_ts";
        }
        if (ts > now + DAY) {
            return "ts_in_future";
        }
        if (!n.get("ids").isObject()) {
            return "invalid_field";
        }
        String name = n.path("name").asText("");
        if (n.get("type").asText().equals("track")
                && (name.equals("order_completed") || name.equals("order_refunded"))
                && n.path("props").hasNonNull("items")
                && !validItems(n.get("props").get("items"))) {
            return "invalid_item";
        }
        boolean usable = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = n.get("ids").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if ((ID_TYPES.contains(e.getKey()) || CUSTOM_ID.matcher(e.getKey()).matches())
                    && e.getValue().isTextual()
                    && !e.getValue().asText().isBlank()) {
                usable = true;
            }
        }
        return usable ? null : "no_id";
    }

    /**
     * §1 order lines: an array of at most 2,000 objects, each with a sku (1-64 characters after
     * trimming), a quantity (an integer 1..10^9, or a string of digits) and a price (a number 0..
     * 10^12, or a numeric string), maybe a category string of at most 64 characters after trimming.
     * Texts here hold no control characters (the generator writes none).
     */
    private static boolean validItems(JsonNode items) {
        if (!items.isArray() || items.size() > 2000) {
            return false;
        }
        for (JsonNode line : items) {
            if (!line.isObject()) {
                return false;
            }
            JsonNode sku = line.get("sku");
            if (sku == null || !sku.isTextual() || sku.asText().strip().isEmpty()) {
                return false;
            }
            if (sku.asText().strip().length() > 64) {
                return false;
            }
            JsonNode category = line.get("category");
            if (category != null
                    && !category.isNull()
                    && (!category.isTextual() || category.asText().strip().length() > 64)) {
                return false;
            }
            JsonNode quantity = line.get("quantity");
            java.math.BigDecimal q;
            if (quantity != null && quantity.isIntegralNumber()) {
                q = quantity.decimalValue();
            } else if (quantity != null
                    && quantity.isTextual()
                    && quantity.asText().strip().matches("[0-9]{1,64}")) {
                q = new java.math.BigDecimal(quantity.asText().strip());
            } else {
                return false;
            }
            if (q.signum() <= 0 || q.compareTo(java.math.BigDecimal.valueOf(1_000_000_000L)) > 0) {
                return false;
            }
            JsonNode price = line.get("price");
            java.math.BigDecimal pr;
            try {
                if (price != null && price.isNumber()) {
                    pr = price.decimalValue();
                } else if (price != null && price.isTextual()) {
                    pr = new java.math.BigDecimal(price.asText().strip());
                } else {
                    return false;
                }
            } catch (NumberFormatException e) {
                return false;
            }
            if (pr.signum() < 0
                    || pr.compareTo(java.math.BigDecimal.valueOf(1_000_000_000_000L)) > 0) {
                return false;
            }
        }
        return true;
    }

    /** Epoch ms of a {@code ts} value, or null when it is neither epoch ms nor ISO with offset. */
    static Long tsMillis(JsonNode ts) {
        if (ts.isIntegralNumber()) {
            return ts.asLong();
        }
        if (ts.isTextual()) {
            try {
                return OffsetDateTime.parse(ts.asText()).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        return null;
    }

    /** docs/contract.md §2.1 normalisation, with the default country code +86. */
    static String normalise(String type, String value) {
        switch (type) {
            case "email":
                return value.trim().toLowerCase(Locale.ROOT);
            case "phone":
                String digits = PHONE_PUNCTUATION.matcher(value).replaceAll("");
                return digits.startsWith("+") ? digits : "+86" + digits;
            default:
                return value.trim();
        }
    }
}
