package io.rtcdp.jobs.cli;

import io.rtcdp.operators.sink.RedisClients;
import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.profile.ProfileFields;
import io.rtcdp.udf.profile.RedisKeys;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import redis.clients.jedis.UnifiedJedis;

/** {@code rtcdp profile}: prints the profile that owns an id, read from Redis. */
@Command(
        name = "profile",
        mixinStandardHelpOptions = true,
        description =
                "Prints the profile that owns an id as Redis holds it, its ids and its merge"
                        + " history.")
public final class ProfileCommand implements Callable<Integer> {
    @Option(names = "--tenant", required = true, paramLabel = "T", description = "Tenant.")
    String tenant;

    @Option(
            names = "--id",
            required = true,
            paramLabel = "TYPE:VALUE",
            description = "An id of the profile, e.g. user_id:12346 or email:ann@example.com.")
    String id;

    @Mixin CommonOptions common;

    /**
     * The ids whose id key points at {@code oneid}, found by scanning the tenant's id keys (on a
     * Redis Cluster, on every master): a diagnostic that reads every id key of the tenant once.
     */
    private static java.util.List<String> idsOf(
            UnifiedJedis redis, RedisKeys keys, String tenant, String oneid) {
        String prefix = keys.id(tenant, "", "");
        prefix = prefix.substring(0, prefix.length() - 1); // ends with "id:"
        java.util.List<String> all =
                new java.util.ArrayList<>(RedisClients.scanKeys(redis, prefix + "*"));
        java.util.List<String> found = new java.util.ArrayList<>();
        for (int from = 0; from < all.size(); from += 1000) {
            java.util.List<String> ks = all.subList(from, Math.min(from + 1000, all.size()));
            // On a cluster, MGET is split by slot and sent to each key's master.
            java.util.List<String> values = redis.mget(ks.toArray(new String[0]));
            for (int i = 0; i < ks.size(); i++) {
                if (oneid.equals(values.get(i))) {
                    found.add(ks.get(i).substring(prefix.length()));
                }
            }
        }
        java.util.Collections.sort(found);
        return found;
    }

    @Override
    public Integer call() {
        Id normalised = io.rtcdp.jobs.IdCommands.idArgument(common.parserConfig(), tenant, id);
        RedisKeys keys = new RedisKeys(common.keyPrefix);
        try (UnifiedJedis redis = RedisClients.create(common.redisUrl)) {
            String oneid = redis.get(keys.id(tenant, normalised.type(), normalised.value()));
            if (oneid == null) {
                common.secrets.warnIfOnCommandLine(System.err);
                System.err.println("rtcdp: no profile has " + normalised);
                return 1;
            }
            String alias;
            while ((alias = redis.get(keys.alias(tenant, oneid))) != null) {
                oneid = alias;
            }
            Map<String, String> fields = new TreeMap<>(redis.hgetAll(keys.profile(tenant, oneid)));
            if (fields.isEmpty()) {
                common.secrets.warnIfOnCommandLine(System.err);
                System.err.println("rtcdp: profile " + oneid + " has no data in Redis");
                return 1;
            }
            common.secrets.warnIfOnCommandLine(System.err);
            System.out.println(keys.profile(tenant, oneid));
            fields.forEach((k, v) -> System.out.printf("  %-26s %s%n", k, v));
            System.out.println("ids (PII values are HMACs):");
            for (String idKey : idsOf(redis, keys, tenant, oneid)) {
                System.out.println("  " + idKey);
            }
            String merges = fields.get(ProfileFields.MERGES);
            System.out.println("merge history (newest first):");
            if (merges == null) {
                System.out.println("  none");
            } else {
                for (io.rtcdp.udf.identity.MergeHistory.Entry m :
                        io.rtcdp.udf.identity.MergeHistory.parse(merges)) {
                    System.out.printf(
                            "  %s merged in at %s through %s%n",
                            m.mergedAway(), java.time.Instant.ofEpochMilli(m.ts()), m.via());
                }
            }
            return 0;
        }
    }
}
