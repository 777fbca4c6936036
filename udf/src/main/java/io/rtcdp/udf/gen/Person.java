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
 * finaliser, which is invertible), or embeds the index.
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

    private static final double[] COOKIE_COUNT_WEIGHTS = {60, 30, 10};
    private static final double[] DEVICE_COUNT_WEIGHTS = {35, 50, 15};

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final char[] HEX_UPPER = "0123456789ABCDEF".toCharArray();
    private static final char[] B64 =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

    final int index;
    final String tenant;
    final String userId;

    /** 1 to 3 browser cookies; the first is the main browser. */
    final String[] cookies;

    /** 0 to 2 mobile device ids. */
    final String[] devices;

    /** 11 digits without country code, or null. */
    final String phone;

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

    private Person(long seed, int index, List<String> tenants) {
        this.index = index;
        this.tenant = tenants.get(index % tenants.size());
        this.userId = userId(seed, index);
        SplittableRandom r = new SplittableRandom(mix64(seed ^ SALT_ATTRIBUTES) + index);

        int nCookies = 1 + pick(r, COOKIE_COUNT_WEIGHTS);
        cookies = new String[nCookies];
        for (int i = 0; i < nCookies; i++) {
            long k = mix64(seed + SALT_COOKIE) + 4L * index + i;
            cookies[i] = uuid(mix64(k), mix64(k ^ SALT_COOKIE), HEX);
        }
        int nDevices = pick(r, DEVICE_COUNT_WEIGHTS);
        devices = new String[nDevices];
        for (int i = 0; i < nDevices; i++) {
            long k = mix64(seed + SALT_DEVICE) + 4L * index + i;
            devices[i] = uuid(mix64(k), mix64(k ^ SALT_DEVICE), HEX_UPPER);
        }

        if (r.nextDouble() < 0.7) {
            long suffix =
                    Math.floorMod(
                            index * PHONE_MULTIPLIER + Math.floorMod(mix64(seed + 1), PHONE_MOD),
                            PHONE_MOD);
            phone =
                    Catalog.PHONE_PREFIXES.get(r.nextInt(Catalog.PHONE_PREFIXES.size()))
                            + pad(suffix, 8);
        } else {
            phone = null;
        }
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
        } else {
            email = null;
        }
        if (r.nextDouble() < 0.45) {
            long k = mix64(seed + SALT_UNION) + index;
            unionId = unionId(mix64(k), mix64(k ^ SALT_UNION));
        } else {
            unionId = null;
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
        double app = nDevices > 0 ? 1.6 : 0;
        double mini = unionId != null ? 0.9 : 0;
        double store = 0.08;
        double sum = web + app + mini + store;
        channelCum[CHANNEL_WEB] = web / sum;
        channelCum[CHANNEL_APP] = (web + app) / sum;
        channelCum[CHANNEL_MINIPROGRAM] = (web + app + mini) / sum;
        channelCum[CHANNEL_STORE] = 1.0;
    }

    static Person of(long seed, int index, List<String> tenants) {
        return new Person(seed, index, tenants);
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
