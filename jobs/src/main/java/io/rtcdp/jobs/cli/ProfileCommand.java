package io.rtcdp.jobs.cli;

import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.event.IdNormalizer;
import io.rtcdp.udf.event.IdTypes;
import io.rtcdp.udf.event.ParserConfig;
import io.rtcdp.udf.event.PiiHasher;
import io.rtcdp.udf.profile.RedisKeys;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import redis.clients.jedis.RedisClient;

/** {@code rtcdp profile}: prints the profile that owns an id, read from Redis. */
@Command(
        name = "profile",
        mixinStandardHelpOptions = true,
        description = "Prints the profile that owns an id, as Redis holds it.")
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

    @Override
    public Integer call() {
        int colon = id.indexOf(':');
        if (colon <= 0 || colon == id.length() - 1) {
            throw new IllegalArgumentException(
                    "--id must be TYPE:VALUE, e.g. user_id:12346, got " + id);
        }
        String type = id.substring(0, colon);
        if (!IdTypes.isKnown(type)) {
            throw new IllegalArgumentException(
                    "unknown id type '"
                            + type
                            + "'; use one of "
                            + IdTypes.BUILT_IN
                            + " or x_<name>");
        }
        ParserConfig pc = common.parserConfig();
        String value =
                IdNormalizer.normalize(type, id.substring(colon + 1), pc.countryCodeFor(tenant));
        if (value == null) {
            throw new IllegalArgumentException("'" + id + "' is not a usable " + type);
        }
        Id normalised = new Id(type, new PiiHasher(pc).protect(tenant, type, value));
        RedisKeys keys = new RedisKeys(common.keyPrefix);
        try (RedisClient redis = RedisClient.create(common.redisUrl)) {
            String oneid = redis.get(keys.id(tenant, normalised.type(), normalised.value()));
            if (oneid == null) {
                System.err.println("rtcdp: no profile has " + normalised);
                return 1;
            }
            String alias;
            while ((alias = redis.get(keys.alias(tenant, oneid))) != null) {
                oneid = alias;
            }
            Map<String, String> fields = new TreeMap<>(redis.hgetAll(keys.profile(tenant, oneid)));
            if (fields.isEmpty()) {
                System.err.println("rtcdp: profile " + oneid + " has no data in Redis");
                return 1;
            }
            System.out.println(keys.profile(tenant, oneid));
            fields.forEach((k, v) -> System.out.printf("  %-26s %s%n", k, v));
            return 0;
        }
    }
}
