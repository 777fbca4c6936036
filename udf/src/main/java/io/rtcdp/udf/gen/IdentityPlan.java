package io.rtcdp.udf.gen;

import java.util.List;

/**
 * Which persons use an id of another person: households that share a device, and pairs of persons
 * where the second later gets the first one's recycled phone number. Like {@link Person}, every
 * answer is derived from the seed and the person's index alone, in constant time, because persons
 * are rebuilt at every session rather than kept.
 *
 * <p>Both relations stay within a tenant: persons are spread over the tenants round-robin, so the
 * persons of tenant {@code t} are {@code t, t + T, t + 2T, …} and a person's <em>rank</em> is its
 * position in that list. Households are the first 2 to {@code maxPersons} ranks of consecutive
 * blocks of {@code maxPersons} ranks; phone pairs are ranks {@code 2j} (who gives the number up)
 * and {@code 2j + 1} (who gets it). A household or pair is chosen by a hash with a probability set
 * so that the requested fraction of device ids, or of phone numbers, is shared in expectation.
 */
final class IdentityPlan {
    /** The most ids a person has in the identity population. */
    static final int MAX_IDS = 6;

    private static final long SALT_HOUSEHOLD = 0x7A646E4F8E2B3C1DL;
    private static final long SALT_PAIR = 0x3C6EF372FE94F82BL;

    final long seed;
    final List<String> tenants;
    private final int persons;

    /**
     * Whether persons have the identity population's smaller id sets (at most {@link #MAX_IDS} ids,
     * at most 2 cookies and 1 device), on which the fractions are calibrated.
     */
    final boolean capped;

    private final double householdChance;
    private final int maxPersons;
    private final double pairChance;
    private final long startMillis;
    private final long durationMillis;

    private IdentityPlan(
            long seed,
            List<String> tenants,
            int persons,
            boolean capped,
            double householdChance,
            int maxPersons,
            double pairChance,
            long startMillis,
            long durationMillis) {
        this.seed = seed;
        this.tenants = tenants;
        this.persons = persons;
        this.capped = capped;
        this.householdChance = householdChance;
        this.maxPersons = maxPersons;
        this.pairChance = pairChance;
        this.startMillis = startMillis;
        this.durationMillis = durationMillis;
    }

    /** The original population: every id belongs to one person, nothing is capped. */
    static IdentityPlan none(long seed, List<String> tenants) {
        return new IdentityPlan(seed, tenants, Integer.MAX_VALUE, false, 0, 2, 0, 0, 1);
    }

    static IdentityPlan of(PopulationGenerator cfg) {
        double shared = cfg.sharedDeviceFraction();
        double reused = cfg.reusedPhoneFraction();
        boolean capped = !cfg.alwaysUserId() || shared > 0 || reused > 0;
        return new IdentityPlan(
                cfg.seed(),
                cfg.tenants(),
                cfg.persons(),
                capped,
                householdChance(shared, cfg.sharedDeviceMaxPersons()),
                cfg.sharedDeviceMaxPersons(),
                pairChance(reused),
                cfg.startMillis(),
                cfg.endMillis() - cfg.startMillis());
    }

    /**
     * The chance of a block to be a household, so that {@code fraction} of the distinct device ids
     * are shared. Per person there are {@code b = q / m} households with {@code e = (m + 2) / 2}
     * members on average (sizes uniform in [2, m]); members use only the household's device, every
     * other person has one device with probability {@code d}. So {@code fraction = b / (b + d (1 -
     * b e))}, solved for {@code b}. Above 1 when the fraction cannot be reached.
     */
    static double householdChance(double fraction, int maxPersons) {
        double d = Person.DEVICE_SHARE;
        double e = (maxPersons + 2) / 2.0;
        double b = d * fraction / (1 - fraction + d * fraction * e);
        return maxPersons * b;
    }

    /** The largest fraction of shared devices that households of up to maxPersons can give. */
    static double maxSharedDeviceFraction(int maxPersons) {
        return 1 / (1 + Person.DEVICE_SHARE * (maxPersons - 2) / 2.0);
    }

    /**
     * The chance of a pair to pass a number on, so that {@code fraction} of the distinct phone
     * numbers are used by two persons. A chosen pair has exactly one number (the giver always has
     * one, the receiver only the recycled one); every other person has one with probability {@code
     * h}. So {@code fraction = (q / 2) / (q / 2 + h (1 - q))}, solved for {@code q}; it reaches 1
     * at fraction 1.
     */
    static double pairChance(double fraction) {
        double h = Person.PHONE_SHARE;
        return h * fraction / (0.5 - (0.5 - h) * fraction);
    }

    /** The index of the first member of the person's household, or -1 if it has none. */
    int householdOf(int person) {
        if (householdChance <= 0) {
            return -1;
        }
        int nTenants = tenants.size();
        int tenant = person % nTenants;
        int rank = person / nTenants;
        int block = rank / maxPersons;
        long h = hash(SALT_HOUSEHOLD, tenant, block);
        if (unit(h) >= householdChance) {
            return -1;
        }
        int size = 2 + (int) Math.floorMod(Person.mix64(h), (long) maxPersons - 1);
        int firstRank = block * maxPersons;
        size = Math.min(size, tenantSize(tenant) - firstRank);
        if (size < 2 || rank - firstRank >= size) {
            return -1;
        }
        return firstRank * nTenants + tenant;
    }

    /** The index of the person who gives their number to {@code person}, or -1. */
    int phoneGiverOf(int person) {
        int nTenants = tenants.size();
        int rank = person / nTenants;
        if (pairChance <= 0 || rank % 2 == 0 || !chosenPair(person % nTenants, rank / 2)) {
            return -1;
        }
        return person - nTenants;
    }

    /** Whether the person's phone number later goes to the next person of the tenant. */
    boolean givesPhone(int person) {
        int nTenants = tenants.size();
        int tenant = person % nTenants;
        int rank = person / nTenants;
        return pairChance > 0
                && rank % 2 == 0
                && rank + 1 < tenantSize(tenant)
                && chosenPair(tenant, rank / 2);
    }

    /**
     * When a giver's number passes to the receiver: in the middle three fifths of the time range,
     * so that both are likely to use it.
     */
    long handoverMillis(int giver) {
        int nTenants = tenants.size();
        long h = Person.mix64(hash(SALT_PAIR, giver % nTenants, giver / nTenants / 2));
        return startMillis + (long) ((0.2 + 0.6 * unit(h)) * durationMillis);
    }

    private boolean chosenPair(int tenant, int pair) {
        return unit(hash(SALT_PAIR, tenant, pair)) < pairChance;
    }

    private int tenantSize(int tenant) {
        int nTenants = tenants.size();
        return tenant >= persons ? 0 : (persons - 1 - tenant) / nTenants + 1;
    }

    private long hash(long salt, int tenant, int group) {
        return Person.mix64(Person.mix64(Person.mix64(seed ^ salt) + tenant) + group);
    }

    private static double unit(long h) {
        return (h >>> 11) * 0x1.0p-53;
    }
}
