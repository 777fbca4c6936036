package io.rtcdp.udf.gen;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The fixed attributes of one synthetic person, derived from the seed and the person's index alone,
 * so they need not be kept in memory between sessions: a million persons cost nothing until they
 * act.
 *
 * <p>Every identifier is unique to its person by construction, not by chance: each comes from a
 * bijection of the person's index (an affine map modulo a power of ten, or the SplitMix64
 * finaliser, which is invertible), or embeds the index. The only ids of several persons are the
 * ones an {@link IdentityPlan} shares on purpose: a household's device (made in a device slot no
 * person uses for its own) and a recycled phone number (the giver's own).
 */
final class Person {
    static final int CHANNEL_WEB = 0;
    static final int CHANNEL_APP = 1;
    static final int CHANNEL_MINIPROGRAM = 2;
    static final int CHANNEL_STORE = 3;
    static final String[] CHANNELS = {"web", "app", "miniprogram", "store"};

    /** Phone numbers are made unique by an affine bijection of the index modulo 10^8. */
    static final int MAX_PERSONS = 100_000_000;

    private static final long USER_ID_MOD = 10_000_000_000L;
    private static final long PHONE_MOD = 100_000_000L;
    // Both multipliers are coprime with 10, so x -> a*x + b is a bijection modulo 10^k.
    private static final long USER_ID_MULTIPLIER = 2_654_435_761L;
    private static final long PHONE_MULTIPLIER = 48_271L;

    private static final long SALT_ATTRIBUTES = 0x5DEECE66DL;
    private static final long SALT_ACTIVITY = 0x2545F4914F6CDD1DL;
    private static final long SALT_COOKIE = 0x9E3779B97F4A7C15L;
    private static final long SALT_DEVICE = 0xC2B2AE3D27D4EB4FL;
    private static final long SALT_UNION = 0x165667B19E3779F9L;
    private static final long SALT_PHONE_PREFIX = 0x27D4EB2F165667C5L;

    /** Share of persons with a phone number. */
    static final double PHONE_SHARE = 0.7;

    private static final double[] COOKIE_COUNT_WEIGHTS = {60, 30, 10};
    private static final double[] DEVICE_COUNT_WEIGHTS = {35, 50, 15};

    /** Share of persons with at least one device. */
    static final double DEVICE_SHARE =
            1
                    - DEVICE_COUNT_WEIGHTS[0]
                            / (DEVICE_COUNT_WEIGHTS[0]
                                    + DEVICE_COUNT_WEIGHTS[1]
                                    + DEVICE_COUNT_WEIGHTS[2]);

    /** A household's device is the first member's device slot 3, which no person's own uses. */
    private static final int HOUSEHOLD_DEVICE_SLOT = 3;

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final char[] HEX_UPPER = "0123456789ABCDEF".toCharArray();
    private static final char[] B64 =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

    final int index;
    final String tenant;
    final String userId;

    /** 1 to 3 browser cookies (at most 2 in the identity population); the first is the main one. */
    final String[] cookies;

    /** 0 to 2 mobile device ids (at most 1 in the identity population). */
    final String[] devices;

    /** Whether {@code devices[0]} is a household's device, shared with other persons. */
    final boolean deviceShared;

    /** 11 digits without country code, or null; in use from phoneFrom until phoneUntil only. */
    final String phone;

    final long phoneFrom;
    final long phoneUntil;

    /** Whether the phone number is recycled: used by another person before or after this one. */
    final boolean phoneShared;

    /** Canonical (trimmed, lower-case) address, or null. */
    final String email;

    /** WeChat UnionID, or null. */
    final String unionId;

    final String city;
    final String gender;
    final String ageBand;
    final String memberLevel;
    final String appVersion;
    final String storeId;

    /** Two or three favourite category indexes. */
    final int[] favourites;

    /** Multiplies the funnel's conversion probabilities. */
    final double buyer;

    /** Chance to log in during a session where they are not yet logged in. */
    final double loginPropensity;

    final boolean marketing;
    final boolean personalization;

    /** Median in-store basket, hundredths of a yuan. */
    final long storeBasketCents;

    /** Cumulative channel choice weights, indexed by CHANNEL_*. */
    private final double[] channelCum = new double[4];

    private Person(IdentityPlan plan, int index) {
        long seed = plan.seed;
        this.index = index;
        this.tenant = plan.tenants.get(index % plan.tenants.size());
        this.userId = userId(seed, index);
        SplittableRandom r = attributeRandom(seed, index);

        // The draws come in the original order whatever the plan, so that the attributes drawn
        // later (city, favourites, …) are the same with or without identity scenarios.
        int nCookies = 1 + pick(r, COOKIE_COUNT_WEIGHTS);
        int nDevices = pick(r, DEVICE_COUNT_WEIGHTS);
        String ownPhone = ownPhone(seed, index, r);
        String email = null;
        if (r.nextDouble() < 0.6) {
            String given = Catalog.GIVEN_NAMES.get(r.nextInt(Catalog.GIVEN_NAMES.size()));
            String surname = Catalog.SURNAMES.get(r.nextInt(Catalog.SURNAMES.size()));
            String domain = Catalog.EMAIL_DOMAINS.get(r.nextInt(Catalog.EMAIL_DOMAINS.size()));
            // The index is the local part's trailing digit run (names have no digits): unique.
            String local =
                    switch (r.nextInt(3)) {
                        case 0 -> given + "." + surname + index;
                        case 1 -> surname + given + index;
                        default -> given + "_" + index;
                    };
            email = local + "@" + domain;
        }
        this.email = email;
        if (r.nextDouble() < 0.45) {
            long k = mix64(seed + SALT_UNION) + index;
            unionId = unionId(mix64(k), mix64(k ^ SALT_UNION));
        } else {
            unionId = null;
        }

        int giver = plan.phoneGiverOf(index);
        if (giver >= 0) {
            // The receiver had no number of its own in the data: the recycled one is its only one.
            phone = givenPhone(seed, giver);
            phoneFrom = plan.handoverMillis(giver);
            phoneUntil = Long.MAX_VALUE;
            phoneShared = true;
        } else if (plan.givesPhone(index)) {
            phone = ownPhone != null ? ownPhone : fallbackPhone(seed, index);
            phoneFrom = Long.MIN_VALUE;
            phoneUntil = plan.handoverMillis(index);
            phoneShared = true;
        } else {
            phone = ownPhone;
            phoneFrom = Long.MIN_VALUE;
            phoneUntil = Long.MAX_VALUE;
            phoneShared = false;
        }

        int household = plan.householdOf(index);
        deviceShared = household >= 0;
        if (deviceShared) {
            devices = new String[] {device(seed, household, HOUSEHOLD_DEVICE_SLOT)};
        } else {
            devices = new String[plan.capped ? Math.min(nDevices, 1) : nDevices];
            for (int i = 0; i < devices.length; i++) {
                devices[i] = device(seed, index, i);
            }
        }
        if (plan.capped) {
            nCookies = Math.min(nCookies, 2);
            int ids =
                    1
                            + nCookies
                            + devices.length
                            + (phone != null ? 1 : 0)
                            + (email != null ? 1 : 0)
                            + (unionId != null ? 1 : 0);
            if (ids > IdentityPlan.MAX_IDS) {
                nCookies = 1;
            }
        }
        cookies = new String[nCookies];
        for (int i = 0; i < nCookies; i++) {
            long k = mix64(seed + SALT_COOKIE) + 4L * index + i;
            cookies[i] = uuid(mix64(k), mix64(k ^ SALT_COOKIE), HEX);
        }

        city = Catalog.CITIES.get(pick(r, Catalog.CITY_WEIGHTS));
        gender = Catalog.GENDERS.get(pick(r, Catalog.GENDER_WEIGHTS));
        ageBand = Catalog.AGE_BANDS.get(pick(r, Catalog.AGE_BAND_WEIGHTS));
        memberLevel = Catalog.MEMBER_LEVELS.get(pick(r, Catalog.MEMBER_LEVEL_WEIGHTS));
        appVersion = Catalog.APP_VERSIONS.get(r.nextInt(Catalog.APP_VERSIONS.size()));
        storeId = "S" + pad(Catalog.CITIES.indexOf(city) * 10L + r.nextInt(10), 3);

        int nFav = 2 + r.nextInt(2);
        favourites = new int[nFav];
        for (int i = 0; i < nFav; i++) {
            favourites[i] = r.nextInt(Catalog.CATEGORIES.size());
        }
        buyer = clamp(lognormal(r, 0.5), 0.2, 3.0);
        loginPropensity = 0.15 + 0.5 * r.nextDouble();
        marketing = r.nextDouble() < 0.55;
        personalization = r.nextDouble() < 0.75;
        storeBasketCents = Math.round(25_000 * lognormal(r, 0.6));

        double web = 1.0;
        double app = devices.length > 0 ? 1.6 : 0;
        double mini = unionId != null ? 0.9 : 0;
        double store = 0.08;
        double sum = web + app + mini + store;
        channelCum[CHANNEL_WEB] = web / sum;
        channelCum[CHANNEL_APP] = (web + app) / sum;
        channelCum[CHANNEL_MINIPROGRAM] = (web + app + mini) / sum;
        channelCum[CHANNEL_STORE] = 1.0;
    }

    /** A person of the original population, where every id belongs to one person. */
    static Person of(long seed, int index, List<String> tenants) {
        return new Person(IdentityPlan.none(seed, tenants), index);
    }

    static Person of(IdentityPlan plan, int index) {
        return new Person(plan, index);
    }

    /** The phone number in use at {@code ts}, or null. */
    String phoneAt(long ts) {
        return ts >= phoneFrom && ts < phoneUntil ? phone : null;
    }

    private static SplittableRandom attributeRandom(long seed, int index) {
        return new SplittableRandom(mix64(seed ^ SALT_ATTRIBUTES) + index);
    }

    /**
     * The number a person draws for itself, or null; {@code r} must be the person's attribute
     * random after the cookie and device counts.
     */
    private static String ownPhone(long seed, int index, SplittableRandom r) {
        if (r.nextDouble() >= PHONE_SHARE) {
            return null;
        }
        return Catalog.PHONE_PREFIXES.get(r.nextInt(Catalog.PHONE_PREFIXES.size()))
                + phoneSuffix(seed, index);
    }

    /** The number a giver passes on: its own, or the one it was given to have one to pass. */
    private static String givenPhone(long seed, int giver) {
        SplittableRandom r = attributeRandom(seed, giver);
        pick(r, COOKIE_COUNT_WEIGHTS);
        pick(r, DEVICE_COUNT_WEIGHTS);
        String own = ownPhone(seed, giver, r);
        return own != null ? own : fallbackPhone(seed, giver);
    }

    private static String fallbackPhone(long seed, int index) {
        int prefix =
                (int)
                        Math.floorMod(
                                mix64(seed ^ SALT_PHONE_PREFIX) + index,
                                (long) Catalog.PHONE_PREFIXES.size());
        return Catalog.PHONE_PREFIXES.get(prefix) + phoneSuffix(seed, index);
    }

    /** Eight digits, an affine bijection of the index: unique whatever the prefix. */
    private static String phoneSuffix(long seed, int index) {
        long suffix =
                Math.floorMod(
                        index * PHONE_MULTIPLIER + Math.floorMod(mix64(seed + 1), PHONE_MOD),
                        PHONE_MOD);
        return pad(suffix, 8);
    }

    private static String device(long seed, int index, int slot) {
        long k = mix64(seed + SALT_DEVICE) + 4L * index + slot;
        return uuid(mix64(k), mix64(k ^ SALT_DEVICE), HEX_UPPER);
    }

    /** The person's {@code user_id}: a member number, {@code M} and ten digits. */
    static String userId(long seed, int index) {
        long n =
                Math.floorMod(
                        index * USER_ID_MULTIPLIER + Math.floorMod(mix64(seed), USER_ID_MOD),
                        USER_ID_MOD);
        return "M" + pad(n, 10);
    }

    /**
     * How much more often than average the person comes back (mean 1, heavy right tail). Derived
     * from the index alone, because the scheduler needs it for every person before any acts.
     */
    static double activity(long seed, int index) {
        double z = hashGaussian(mix64(mix64(seed ^ SALT_ACTIVITY) + index));
        double sigma = 1.0;
        return StrictMath.exp(sigma * z - sigma * sigma / 2);
    }

    int chooseChannel(SplittableRandom r) {
        double u = r.nextDouble();
        for (int c = 0; c < 3; c++) {
            if (u < channelCum[c]) {
                return c;
            }
        }
        return CHANNEL_STORE;
    }

    int chooseCategory(SplittableRandom r) {
        return r.nextDouble() < 0.7
                ? favourites[r.nextInt(favourites.length)]
                : r.nextInt(Catalog.CATEGORIES.size());
    }

    /** SplitMix64's finaliser: a bijection on 64-bit values with good avalanche. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** exp(N(0, sigma^2) - sigma^2/2): mean 1. */
    static double lognormal(SplittableRandom r, double sigma) {
        return StrictMath.exp(sigma * gaussian(r) - sigma * sigma / 2);
    }

    /** A standard normal value determined by the hash {@code h} (Box-Muller). */
    static double hashGaussian(long h) {
        double u1 = ((h >>> 11) + 1) * 0x1.0p-53; // (0, 1]
        double u2 = (mix64(h) >>> 11) * 0x1.0p-53;
        return StrictMath.sqrt(-2 * StrictMath.log(u1)) * StrictMath.cos(2 * Math.PI * u2);
    }

    static double gaussian(SplittableRandom r) {
        double u1 = 1.0 - r.nextDouble(); // (0, 1]
        double u2 = r.nextDouble();
        return StrictMath.sqrt(-2 * StrictMath.log(u1)) * StrictMath.cos(2 * Math.PI * u2);
    }

    static int pick(SplittableRandom r, double[] weights) {
        double sum = 0;
        for (double w : weights) {
            sum += w;
        }
        double u = r.nextDouble() * sum;
        for (int i = 0; i < weights.length - 1; i++) {
            u -= weights[i];
            if (u < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    static String pad(long n, int width) {
        String s = Long.toString(n);
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }

    /** 8-4-4-4-12 hex; the first 64 bits carry the unique part. */
    private static String uuid(long hi, long lo, char[] digits) {
        char[] c = new char[36];
        int p = 0;
        for (int i = 0; i < 32; i++) {
            if (i == 8 || i == 12 || i == 16 || i == 20) {
                c[p++] = '-';
            }
            long word = i < 16 ? hi : lo;
            int shift = 60 - 4 * (i % 16);
            c[p++] = digits[(int) (word >>> shift) & 0xf];
        }
        return new String(c);
    }

    /** {@code o} and 27 URL-safe base64 characters, like a WeChat UnionID. */
    private static String unionId(long unique, long filler) {
        char[] c = new char[28];
        c[0] = 'o';
        // 11 characters of 6 bits hold all 64 bits of the unique part.
        for (int i = 0; i < 11; i++) {
            int shift = 64 - 6 * (i + 1);
            int bits =
                    shift >= 0 ? (int) (unique >>> shift) & 0x3f : (int) (unique << -shift) & 0x3f;
            c[1 + i] = B64[bits];
        }
        for (int i = 0; i < 16; i++) {
            c[12 + i] = B64[(int) (filler >>> (4 * i)) & 0x3f];
        }
        return new String(c);
    }
}
