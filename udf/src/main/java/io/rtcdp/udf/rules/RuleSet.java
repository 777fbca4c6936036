package io.rtcdp.udf.rules;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tenant's rule set (docs/contract.md §6) as parsed from YAML or JSON text, checked for shape but
 * not yet compiled: see {@link CompiledRules#compile(RuleSet)}.
 */
public record RuleSet(
        String tenant,
        long version,
        List<Condition> tags,
        List<Condition> segments,
        List<TriggerRule> triggers,
        Set<String> traits) {

    /** Most rules of one kind in one rule set. */
    public static final int MAX_RULES_PER_KIND = 500;

    /** Longest {@code max_per_period}: the contact policy keeps that many fire times per rule. */
    public static final int MAX_CAP = 100;

    /** Default cap period of {@code max_per_30d}. */
    public static final long DAYS_30_MS = 30L * 24 * 3600 * 1000;

    static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,64}");
    private static final Pattern TENANT = Pattern.compile("[a-z0-9_-]{1,64}");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    public RuleSet {
        tags = List.copyOf(tags);
        segments = List.copyOf(segments);
        triggers = List.copyOf(triggers);
        traits = Set.copyOf(traits);
    }

    /** A tag or segment rule: the profile has it while {@code when} holds. */
    public record Condition(String name, String when) {}

    /**
     * A trigger rule. {@code cooldownMs} 0 means none; {@code maxPerPeriod} 0 means no cap; {@code
     * requiresConsent} is {@code marketing}, {@code personalization} or null; {@code value} and
     * {@code cost} are null when not given.
     */
    public record TriggerRule(
            String name,
            String when,
            String action,
            String channel,
            long cooldownMs,
            int maxPerPeriod,
            long periodMs,
            String requiresConsent,
            Double value,
            Double cost) {}

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final ObjectMapper YAML =
            new YAMLMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private static final Set<String> TOP_KEYS =
            Set.of("tenant", "version", "traits", "tags", "segments", "triggers");
    private static final Set<String> CONDITION_KEYS = Set.of("name", "when");
    private static final Set<String> TRIGGER_KEYS =
            Set.of(
                    "name",
                    "when",
                    "action",
                    "channel",
                    "cooldown",
                    "max_per_30d",
                    "max_per_period",
                    "period",
                    "requires_consent",
                    "value",
                    "cost");

    /**
     * Parses a rule set from YAML or JSON text (JSON when it starts with <code>{</code>).
     *
     * @throws RuleSetException listing every problem found, each with its rule
     */
    public static RuleSet parse(String text) throws RuleSetException {
        JsonNode root;
        try {
            String t = text.strip();
            root = (t.startsWith("{") ? JSON : YAML).readTree(t);
        } catch (Exception e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            throw new RuleSetException(List.of("not valid YAML or JSON: " + firstLine(msg)));
        }
        if (root == null || !root.isObject()) {
            throw new RuleSetException(
                    List.of("a rule set must be a mapping with tenant, version"));
        }
        List<String> problems = new ArrayList<>();
        unknownKeys(root, TOP_KEYS, "rule set", problems);

        String tenant = null;
        JsonNode tn = root.get("tenant");
        if (tn == null || !tn.isTextual()) {
            problems.add("tenant: required, a string matching [a-z0-9_-]{1,64}");
        } else if (!TENANT.matcher(tn.asText()).matches()) {
            problems.add("tenant: must match [a-z0-9_-]{1,64}, got '" + tn.asText() + "'");
        } else {
            tenant = tn.asText();
        }
        long version = 0;
        JsonNode vn = root.get("version");
        if (vn == null || !vn.canConvertToLong() || !vn.isIntegralNumber()) {
            problems.add("version: required, a whole number");
        } else if (vn.asLong() < 0) {
            problems.add("version: must not be negative, got " + vn.asLong());
        } else {
            version = vn.asLong();
        }

        List<Condition> tags = conditions(root, "tags", "tag", problems);
        List<Condition> segments = conditions(root, "segments", "segment", problems);
        List<TriggerRule> triggers = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode r : items(root, "triggers", problems)) {
            String where = "trigger " + label(r, triggers.size());
            if (!r.isObject()) {
                problems.add(where + ": must be a mapping with name, when, action, channel");
                triggers.add(null);
                continue;
            }
            unknownKeys(r, TRIGGER_KEYS, where, problems);
            String name = name(r, where, seen, problems);
            String when = text(r, "when", true, where, problems);
            String action = text(r, "action", true, where, problems);
            String channel = text(r, "channel", true, where, problems);
            long cooldown = 0;
            if (r.has("cooldown")) {
                cooldown = duration(r.get("cooldown"), where + ": cooldown", problems);
            }
            int cap = 0;
            long period = DAYS_30_MS;
            if (r.has("max_per_30d")) {
                cap = cap(r.get("max_per_30d"), where + ": max_per_30d", problems);
                if (r.has("max_per_period") || r.has("period")) {
                    problems.add(
                            where
                                    + ": give either max_per_30d or max_per_period with period,"
                                    + " not both");
                }
            } else if (r.has("max_per_period") || r.has("period")) {
                if (!r.has("max_per_period") || !r.has("period")) {
                    problems.add(where + ": max_per_period and period go together");
                } else {
                    cap = cap(r.get("max_per_period"), where + ": max_per_period", problems);
                    period = duration(r.get("period"), where + ": period", problems);
                    if (period == 0) {
                        problems.add(where + ": period must be longer than 0");
                    }
                }
            }
            String consent = null;
            if (r.has("requires_consent")) {
                JsonNode c = r.get("requires_consent");
                if (c.isTextual()
                        && (c.asText().equals("marketing")
                                || c.asText().equals("personalization"))) {
                    consent = c.asText();
                } else {
                    problems.add(
                            where
                                    + ": requires_consent must be marketing or personalization, got "
                                    + c);
                }
            }
            Double value = number(r, "value", where, problems);
            Double cost = number(r, "cost", where, problems);
            triggers.add(
                    new TriggerRule(
                            name, when, action, channel, cooldown, cap, period, consent, value,
                            cost));
        }
        Set<String> traits = traits(root, problems);
        if (!problems.isEmpty()) {
            throw new RuleSetException(problems);
        }
        return new RuleSet(tenant, version, tags, segments, triggers, traits);
    }

    /**
     * The {@code traits} list: the trait keys the rules read, the only ones the job keeps (§6);
     * none when absent.
     */
    private static Set<String> traits(JsonNode root, List<String> problems) {
        JsonNode n = root.get("traits");
        if (n == null || n.isNull()) {
            return Set.of();
        }
        if (!n.isArray()) {
            problems.add("traits: must be a list of trait keys");
            return Set.of();
        }
        if (n.size() > DecisionState.MAX_TRAITS) {
            problems.add("traits: at most " + DecisionState.MAX_TRAITS + " keys, got " + n.size());
            return Set.of();
        }
        Set<String> keys = new LinkedHashSet<>();
        for (JsonNode k : n) {
            String key = k.isTextual() ? k.asText() : null;
            if (key == null || !TRAIT_KEY.matcher(key).matches()) {
                problems.add(
                        "traits: "
                                + k
                                + " is not a trait key (a string of at most 64 characters, no control"
                                + " characters)");
            } else if (!keys.add(key)) {
                problems.add("traits: '" + key + "' is listed twice");
            }
        }
        return keys;
    }

    private static final Pattern TRAIT_KEY = Pattern.compile("[^\\p{Cntrl}\u2028\u2029]{0,64}");

    private static List<Condition> conditions(
            JsonNode root, String key, String kind, List<String> problems) {
        List<Condition> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode r : items(root, key, problems)) {
            String where = kind + " " + label(r, out.size());
            if (!r.isObject()) {
                problems.add(where + ": must be a mapping with name and when");
                out.add(null);
                continue;
            }
            unknownKeys(r, CONDITION_KEYS, where, problems);
            out.add(
                    new Condition(
                            name(r, where, seen, problems),
                            text(r, "when", true, where, problems)));
        }
        return out;
    }

    private static List<JsonNode> items(JsonNode root, String key, List<String> problems) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            problems.add(key + ": must be a list");
            return List.of();
        }
        if (n.size() > MAX_RULES_PER_KIND) {
            problems.add(key + ": at most " + MAX_RULES_PER_KIND + " rules, got " + n.size());
            return List.of();
        }
        List<JsonNode> out = new ArrayList<>(n.size());
        n.forEach(out::add);
        return out;
    }

    /** {@code 'name'} when the rule has a textual name, else {@code #index} (0-based). */
    private static String label(JsonNode r, int index) {
        JsonNode n = r.isObject() ? r.get("name") : null;
        return n != null && n.isTextual() ? "'" + n.asText() + "'" : "#" + index;
    }

    private static String name(JsonNode r, String where, Set<String> seen, List<String> problems) {
        JsonNode n = r.get("name");
        if (n == null || !n.isTextual()) {
            problems.add(where + ": name is required");
            return null;
        }
        String name = n.asText();
        if (!NAME.matcher(name).matches()) {
            problems.add(where + ": name must match [a-z0-9_]{1,64}");
        } else if (!seen.add(name)) {
            problems.add(where + ": name is used twice");
        }
        return name;
    }

    private static String text(
            JsonNode r, String key, boolean required, String where, List<String> problems) {
        JsonNode n = r.get(key);
        if (n == null || n.isNull()) {
            if (required) {
                problems.add(where + ": " + key + " is required");
            }
            return null;
        }
        if (!n.isTextual() || n.asText().isBlank()) {
            problems.add(where + ": " + key + " must be a non-empty string");
            return null;
        }
        return n.asText();
    }

    private static Double number(JsonNode r, String key, String where, List<String> problems) {
        JsonNode n = r.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber() || !Double.isFinite(n.asDouble())) {
            problems.add(where + ": " + key + " must be a number, got " + n);
            return null;
        }
        return n.asDouble();
    }

    private static int cap(JsonNode n, String where, List<String> problems) {
        if (!n.isIntegralNumber() || n.asLong() < 1 || n.asLong() > MAX_CAP) {
            problems.add(where + " must be a whole number from 1 to " + MAX_CAP + ", got " + n);
            return 0;
        }
        return n.asInt();
    }

    private static long duration(JsonNode n, String where, List<String> problems) {
        Long ms = n.isTextual() ? parseDuration(n.asText()) : null;
        if (ms == null) {
            problems.add(where + " must be a duration like 7d, 12h, 30m, 45s, got " + n);
            return 0;
        }
        return ms;
    }

    /** {@code 7d}, {@code 12h}, {@code 30m}, {@code 45s}, {@code 500ms} in ms; null if not one. */
    public static Long parseDuration(String s) {
        Matcher m = DURATION.matcher(s.strip());
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> n;
            case "s" -> n * 1000;
            case "m" -> n * 60_000;
            case "h" -> n * 3_600_000;
            default -> n * 86_400_000;
        };
    }

    private static void unknownKeys(
            JsonNode obj, Set<String> known, String where, List<String> problems) {
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
            String k = it.next().getKey();
            if (!known.contains(k)) {
                problems.add(
                        where
                                + ": unknown key '"
                                + k
                                + "' (allowed: "
                                + String.join(", ", known.stream().sorted().toList())
                                + ")");
            }
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
