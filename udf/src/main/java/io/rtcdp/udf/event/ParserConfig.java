package io.rtcdp.udf.event;

import io.rtcdp.udf.text.TextClassifier;
import java.io.Serializable;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Configuration of event parsing and id protection (docs/contract.md §1 and §2). Immutable and
 * serializable, so that it travels inside Flink functions; build it with {@link #builder()}.
 */
public final class ParserConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The well-known secret used when none is configured; fine for a demo, never for real data. */
    public static final String DEV_SECRET = "rtcdp-dev-secret";

    /**
     * The shortest secret accepted, in UTF-8 bytes (the development secret excepted): HMAC-SHA256
     * keys shorter than its output are guessable sooner than the hash itself.
     */
    public static final int MIN_SECRET_BYTES = 32;

    public static final String DEFAULT_COUNTRY_CODE = "+86";
    public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofDays(1);
    public static final int DEFAULT_MAX_RECORD_BYTES = 64 * 1024;

    /** The largest record size that may be configured: readers hold a record of this size. */
    public static final int MAX_MAX_RECORD_BYTES = 64 * 1024 * 1024;

    public static final Set<String> DEFAULT_PII_ID_TYPES = Set.of(IdTypes.PHONE, IdTypes.EMAIL);

    /** Keeps now + skew far from overflow; no sane skew comes close. */
    private static final Duration MAX_SKEW = Duration.ofDays(365L * 1000);

    static final Pattern TENANT = Pattern.compile("[a-z0-9_-]{1,64}");

    /** A trait key that can be listed in a setting (comma-separated lists take no commas). */
    private static final Pattern TRAIT_KEY =
            Pattern.compile("[^\\p{Cntrl}\\s,]{1," + EventParser.MAX_TRAIT_KEY_LENGTH + "}");

    private static final Pattern COUNTRY_CODE = Pattern.compile("\\+[1-9][0-9]{0,3}");

    /** A serializable source of "now" in epoch milliseconds. */
    @FunctionalInterface
    public interface MillisClock extends LongSupplier, Serializable {}

    private final Map<String, String> tenantSecrets;
    private final String defaultSecret;
    private final String defaultCountryCode;
    private final Map<String, String> tenantCountryCodes;
    private final Set<String> piiIdTypes;
    private final Map<String, Set<String>> tenantPiiIdTypes;
    private final Set<String> piiTraits;
    private final Map<String, Set<String>> tenantPiiTraits;
    private final Set<String> anyPiiTraits;
    private final long maxFutureSkewMillis;
    private final int maxRecordBytes;
    private final MillisClock clock;

    /** The classifier of {@code props.text}; null: the shipped one. */
    private final TextClassifier textClassifier;

    private ParserConfig(Builder b) {
        this.tenantSecrets = Map.copyOf(b.tenantSecrets);
        this.defaultSecret = b.defaultSecret;
        this.defaultCountryCode = b.defaultCountryCode;
        this.tenantCountryCodes = Map.copyOf(b.tenantCountryCodes);
        this.piiIdTypes = withAlwaysPii(b.piiIdTypes);
        Map<String, Set<String>> types = new HashMap<>();
        b.tenantPiiIdTypes.forEach((t, v) -> types.put(t, withAlwaysPii(v)));
        this.tenantPiiIdTypes = Map.copyOf(types);
        this.piiTraits = Set.copyOf(b.piiTraits);
        Map<String, Set<String>> traits = new HashMap<>();
        b.tenantPiiTraits.forEach((t, v) -> traits.put(t, Set.copyOf(v)));
        this.tenantPiiTraits = Map.copyOf(traits);
        Set<String> any = new LinkedHashSet<>(piiTraits);
        tenantPiiTraits.values().forEach(any::addAll);
        this.anyPiiTraits = Set.copyOf(any);
        this.maxFutureSkewMillis = b.maxFutureSkew.toMillis();
        this.maxRecordBytes = b.maxRecordBytes;
        this.clock = b.clock;
        this.textClassifier = b.textClassifier;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A configuration with every default (the development secret included). */
    public static ParserConfig defaults() {
        return builder().build();
    }

    /**
     * The HMAC keys of the tenants (docs/contract.md §2.2): a tenant's own secret, else one derived
     * from the default secret for that tenant. A new object each time, for one user.
     */
    public TenantKeys tenantKeys() {
        return new TenantKeys(defaultSecret, tenantSecrets);
    }

    /**
     * Whether the tenant has a secret of its own (else its key is derived from the default one).
     */
    public boolean hasOwnSecret(String tenant) {
        return tenantSecrets.containsKey(tenant);
    }

    /** The tenants that have a secret of their own. */
    public Set<String> tenantsWithSecrets() {
        return tenantSecrets.keySet();
    }

    /**
     * Whether any tenant's ids would be hashed with the public development secret, which makes the
     * hashes reversible by dictionary attack; the job should warn loudly when this is true.
     */
    public boolean usesDevSecret() {
        return DEV_SECRET.equals(defaultSecret) || tenantSecrets.containsValue(DEV_SECRET);
    }

    /** Whether this tenant's key comes from the public development secret. */
    public boolean usesDevSecret(String tenant) {
        return DEV_SECRET.equals(tenantSecrets.getOrDefault(tenant, defaultSecret));
    }

    /** The country code (e.g. {@code +86}) given to the tenant's phone numbers without one. */
    public String countryCodeFor(String tenant) {
        return tenantCountryCodes.getOrDefault(tenant, defaultCountryCode);
    }

    public String defaultCountryCode() {
        return defaultCountryCode;
    }

    /**
     * The PII id types of tenants without a list of their own; {@code phone} and {@code email}
     * always.
     */
    public Set<String> piiIdTypes() {
        return piiIdTypes;
    }

    /** The PII id types of a tenant: its own list, else the default list (§2.2). */
    public Set<String> piiIdTypes(String tenant) {
        return tenantPiiIdTypes.getOrDefault(tenant, piiIdTypes);
    }

    /** Whether the id type is PII for tenants without a list of their own. */
    public boolean isPii(String idType) {
        return piiIdTypes.contains(idType);
    }

    /** Whether the tenant's values of this id type are replaced by their HMAC. */
    public boolean isPii(String tenant, String idType) {
        return piiIdTypes(tenant).contains(idType);
    }

    /** The PII trait keys of a tenant: its own list, else the default list. */
    public Set<String> piiTraits(String tenant) {
        return tenantPiiTraits.getOrDefault(tenant, piiTraits);
    }

    /** Whether the tenant's values of this trait are replaced by their HMAC. */
    public boolean isPiiTrait(String tenant, String traitKey) {
        return piiTraits(tenant).contains(traitKey);
    }

    /** Whether any tenant has a PII trait at all (most have none: parsing skips the lookups). */
    public boolean hasPiiTraits() {
        return !anyPiiTraits.isEmpty();
    }

    /**
     * Whether the trait key is PII for some tenant: dead letters mask its values whatever the
     * record's tenant, which a broken record may not tell.
     */
    public boolean isPiiTraitOfAnyTenant(String traitKey) {
        return anyPiiTraits.contains(traitKey);
    }

    private static Set<String> withAlwaysPii(Collection<String> types) {
        Set<String> all = new LinkedHashSet<>(DEFAULT_PII_ID_TYPES);
        all.addAll(types);
        return Set.copyOf(all);
    }

    public long maxFutureSkewMillis() {
        return maxFutureSkewMillis;
    }

    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    public MillisClock clock() {
        return clock;
    }

    /** The classifier of {@code props.text}: the one given, else the one shipped with rtcdp. */
    public TextClassifier textClassifier() {
        return textClassifier != null ? textClassifier : TextClassifier.builtIn();
    }

    /** Names no secret, so that configs can be logged. */
    @Override
    public String toString() {
        return "ParserConfig{tenantsWithSecrets="
                + tenantSecrets.keySet()
                + ", usesDevSecret="
                + usesDevSecret()
                + ", defaultCountryCode="
                + defaultCountryCode
                + ", tenantCountryCodes="
                + tenantCountryCodes
                + ", piiIdTypes="
                + piiIdTypes
                + ", tenantPiiIdTypes="
                + tenantPiiIdTypes
                + ", piiTraits="
                + piiTraits
                + ", tenantPiiTraits="
                + tenantPiiTraits
                + ", maxFutureSkewMillis="
                + maxFutureSkewMillis
                + ", maxRecordBytes="
                + maxRecordBytes
                + ", textModel="
                + (textClassifier == null ? "shipped" : "given")
                + "}";
    }

    /** Builder of {@link ParserConfig}; {@link #build()} validates. */
    public static final class Builder {
        private final Map<String, String> tenantSecrets = new HashMap<>();
        private String defaultSecret = DEV_SECRET;
        private String defaultCountryCode = DEFAULT_COUNTRY_CODE;
        private final Map<String, String> tenantCountryCodes = new HashMap<>();
        private Set<String> piiIdTypes = new LinkedHashSet<>(DEFAULT_PII_ID_TYPES);
        private final Map<String, Set<String>> tenantPiiIdTypes = new HashMap<>();
        private Set<String> piiTraits = new LinkedHashSet<>();
        private final Map<String, Set<String>> tenantPiiTraits = new HashMap<>();
        private Duration maxFutureSkew = DEFAULT_MAX_FUTURE_SKEW;
        private int maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;
        private MillisClock clock = System::currentTimeMillis;
        private TextClassifier textClassifier;

        private Builder() {}

        /** The HMAC secret of one tenant. */
        public Builder tenantSecret(String tenant, String secret) {
            tenantSecrets.put(tenant, secret);
            return this;
        }

        /** Adds HMAC secrets by tenant. */
        public Builder tenantSecrets(Map<String, String> secrets) {
            tenantSecrets.putAll(secrets);
            return this;
        }

        /**
         * The master secret, from which the key of every tenant without a secret of its own is
         * derived; default {@value #DEV_SECRET}.
         */
        public Builder defaultSecret(String secret) {
            this.defaultSecret = secret;
            return this;
        }

        /** The country code for phones without one, e.g. {@code +44}; default {@code +86}. */
        public Builder defaultCountryCode(String countryCode) {
            this.defaultCountryCode = countryCode;
            return this;
        }

        public Builder countryCode(String tenant, String countryCode) {
            tenantCountryCodes.put(tenant, countryCode);
            return this;
        }

        /**
         * The id types replaced by their HMAC for tenants without a list of their own; {@code
         * phone} and {@code email} are PII whether listed or not.
         */
        public Builder piiIdTypes(Collection<String> types) {
            this.piiIdTypes = new LinkedHashSet<>(types);
            return this;
        }

        public Builder piiIdTypes(String... types) {
            return piiIdTypes(List.of(types));
        }

        /**
         * One tenant's PII id types, instead of the default list ({@code phone}, {@code email}
         * always).
         */
        public Builder tenantPiiIdTypes(String tenant, Collection<String> types) {
            tenantPiiIdTypes.put(tenant, new LinkedHashSet<>(types));
            return this;
        }

        /** The trait keys whose values are replaced by their HMAC; default none. */
        public Builder piiTraits(Collection<String> keys) {
            this.piiTraits = new LinkedHashSet<>(keys);
            return this;
        }

        public Builder piiTraits(String... keys) {
            return piiTraits(List.of(keys));
        }

        /** One tenant's PII trait keys, instead of the default list. */
        public Builder tenantPiiTraits(String tenant, Collection<String> keys) {
            tenantPiiTraits.put(tenant, new LinkedHashSet<>(keys));
            return this;
        }

        /** How far after "now" an event time may be; default 1 day. */
        public Builder maxFutureSkew(Duration skew) {
            this.maxFutureSkew = skew;
            return this;
        }

        /** The largest accepted record, in bytes: 2 to 64 MiB; default 65536. */
        public Builder maxRecordBytes(int bytes) {
            this.maxRecordBytes = bytes;
            return this;
        }

        /** The classifier of {@code props.text}; default (or null): the one shipped with rtcdp. */
        public Builder textClassifier(TextClassifier classifier) {
            this.textClassifier = classifier;
            return this;
        }

        /** The source of "now" for the future-skew check; default the system clock. */
        public Builder clock(MillisClock clock) {
            this.clock = clock;
            return this;
        }

        public ParserConfig build() {
            for (Map.Entry<String, String> e : tenantSecrets.entrySet()) {
                requireTenant(e.getKey(), "tenant secret");
                requireSecret(e.getValue(), "the secret of tenant '" + e.getKey() + "'");
            }
            requireSecret(defaultSecret, "the default tenant secret");
            requireCountryCode(defaultCountryCode, "default country code");
            for (Map.Entry<String, String> e : tenantCountryCodes.entrySet()) {
                requireTenant(e.getKey(), "country code");
                requireCountryCode(e.getValue(), "country code of tenant '" + e.getKey() + "'");
            }
            requirePiiTypes(piiIdTypes, "PII id type");
            for (Map.Entry<String, Set<String>> e : tenantPiiIdTypes.entrySet()) {
                requireTenant(e.getKey(), "PII id types");
                requirePiiTypes(e.getValue(), "PII id type of tenant '" + e.getKey() + "'");
            }
            requirePiiTraits(piiTraits, "PII trait");
            for (Map.Entry<String, Set<String>> e : tenantPiiTraits.entrySet()) {
                requireTenant(e.getKey(), "PII traits");
                requirePiiTraits(e.getValue(), "PII trait of tenant '" + e.getKey() + "'");
            }
            if (maxFutureSkew == null
                    || maxFutureSkew.isNegative()
                    || maxFutureSkew.compareTo(MAX_SKEW) > 0) {
                throw new IllegalArgumentException(
                        "max future skew must be between 0 and "
                                + MAX_SKEW.toDays()
                                + " days, got "
                                + maxFutureSkew);
            }
            if (maxRecordBytes < 2 || maxRecordBytes > MAX_MAX_RECORD_BYTES) {
                throw new IllegalArgumentException(
                        "max record size must be between 2 and "
                                + MAX_MAX_RECORD_BYTES
                                + " bytes, got "
                                + maxRecordBytes);
            }
            if (clock == null) {
                throw new IllegalArgumentException("clock is null; give a source of epoch ms");
            }
            return new ParserConfig(this);
        }

        private static void requireTenant(String tenant, String what) {
            if (tenant == null || !TENANT.matcher(tenant).matches()) {
                throw new IllegalArgumentException(
                        what
                                + " given for invalid tenant '"
                                + tenant
                                + "'; tenants match [a-z0-9_-]{1,64}");
            }
        }

        /** Never puts the secret into the message. */
        private static void requireSecret(String secret, String what) {
            if (secret == null || secret.isEmpty()) {
                throw new IllegalArgumentException(what + " is empty; give a non-empty secret");
            }
            int bytes = secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (bytes < MIN_SECRET_BYTES && !DEV_SECRET.equals(secret)) {
                throw new IllegalArgumentException(
                        what
                                + " is "
                                + bytes
                                + " bytes long; give at least "
                                + MIN_SECRET_BYTES
                                + " (e.g. the output of openssl rand -hex 32)");
            }
        }

        private static void requirePiiTypes(Set<String> types, String what) {
            for (String type : types) {
                if (type == null || !IdTypes.isKnown(type)) {
                    throw new IllegalArgumentException(
                            what
                                    + " '"
                                    + type
                                    + "' is not an id type; use "
                                    + String.join(", ", IdTypes.BUILT_IN)
                                    + " or x_<name>");
                }
            }
        }

        private static void requirePiiTraits(Set<String> keys, String what) {
            for (String key : keys) {
                if (key == null || !TRAIT_KEY.matcher(key).matches()) {
                    throw new IllegalArgumentException(
                            what
                                    + " '"
                                    + key
                                    + "' is not a trait key of 1-"
                                    + EventParser.MAX_TRAIT_KEY_LENGTH
                                    + " characters without control characters, commas or spaces");
                }
            }
        }

        private static void requireCountryCode(String code, String what) {
            if (code == null || !COUNTRY_CODE.matcher(code).matches()) {
                throw new IllegalArgumentException(
                        what + " '" + code + "' is invalid; use '+' and 1-4 digits, e.g. +86");
            }
        }
    }
}
