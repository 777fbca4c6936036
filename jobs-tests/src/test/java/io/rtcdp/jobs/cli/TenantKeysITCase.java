package io.rtcdp.jobs.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.testing.RedisServerExtension;
import io.rtcdp.udf.profile.RedisKeys;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * Per-tenant keys end to end, on a real redis-server: {@code rtcdp replay} with its secrets from a
 * settings file ({@code --config}, the master secret in a file of its own), the same phone and user
 * id in three tenants (two with keys derived from the master secret, one with a secret of its own).
 * The id keys and oneids differ between tenants, and each is what an app computes from {@code rtcdp
 * secrets derive}'s key with a plain HMAC; {@code rtcdp profile} finds the profile by the phone
 * with the same settings file.
 */
class TenantKeysITCase {
    @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final String MASTER = "master-secret-for-the-it-0123456789abcdef";
    private static final String INITECH = "initech-own-secret-0123456789abcdef";
    private static final String PHONE = "+8613800138000";
    private static final List<String> TENANTS = List.of("acme", "globex", "initech");

    @TempDir Path tmp;

    @Test
    void theSamePhoneInTwoTenantsGivesUnrelatedIdKeysAndOneids() throws Exception {
        Path secret = Files.writeString(tmp.resolve("master.secret"), MASTER + "\n");
        // a file without a line break is taken as it is
        Path initech = Files.writeString(tmp.resolve("initech.secret"), INITECH);
        Path cfg =
                Files.writeString(
                        tmp.resolve("rtcdp.properties"),
                        "default-secret = ${file:"
                                + secret
                                + "}\ntenant-secret.initech = ${file:"
                                + initech
                                + "}\n");
        StringBuilder events = new StringBuilder();
        int n = 0;
        for (String t : TENANTS) {
            events.append(
                    String.format(
                            "{\"event_id\":\"e%d\",\"tenant\":\"%s\",\"type\":\"identify\","
                                    + "\"ts\":1700000000000,\"ids\":{\"user_id\":\"u1\","
                                    + "\"phone\":\"138 0013 8000\"}}%n",
                            ++n, t));
        }
        Path in = Files.writeString(tmp.resolve("events.jsonl"), events.toString());

        CliRun replay =
                CliRun.of(
                        "replay",
                        "--input",
                        in.toString(),
                        "--redis",
                        REDIS.url(),
                        "--parallelism",
                        "1",
                        "--config",
                        cfg.toString(),
                        "--dlq",
                        tmp.resolve("dlq.jsonl").toString(),
                        "--work-dir",
                        tmp.resolve("work").toString());
        assertThat(replay.code()).as(replay.err()).isZero();
        // a configured secret: no development-secret warning, no command-line warning
        assertThat(replay.err()).doesNotContain("warning");

        RedisKeys keys = new RedisKeys("rtcdp");
        RedisClient redis = REDIS.client();
        Set<String> phoneKeys = new java.util.HashSet<>();
        Set<String> oneids = new java.util.HashSet<>();
        for (String t : TENANTS) {
            CliRun derive =
                    CliRun.of("secrets", "derive", "--tenant", t, "--config", cfg.toString());
            assertThat(derive.code()).isZero();
            assertThat(derive.err()).isEmpty();
            byte[] k = HexFormat.of().parseHex(derive.out().trim());
            if (t.equals("initech")) {
                assertThat(k).isEqualTo(INITECH.getBytes(UTF_8));
            } else {
                assertThat(k).isEqualTo(hmac(MASTER.getBytes(UTF_8), "rtcdp/tenant-key/v1:" + t));
            }

            // what an app of the tenant computes with K(t) alone
            String phoneHash = HexFormat.of().formatHex(hmac(k, "phone:" + PHONE));
            String phoneKey = keys.id(t, "phone", phoneHash);
            String oneid = redis.get(phoneKey);
            assertThat(oneid).as("%s: %s", t, phoneKey).isNotNull();
            assertThat(redis.get(keys.id(t, "user_id", "u1"))).isEqualTo(oneid);
            // the profile was founded by user_id:u1, its oneid keyed with K(t) (contract §2.3)
            ByteArrayOutputStream msg = new ByteArrayOutputStream();
            msg.writeBytes(("rtcdp/oneid/v1:" + t).getBytes(UTF_8));
            msg.write(0x1f);
            msg.writeBytes("user_id".getBytes(UTF_8));
            msg.write(0x1f);
            msg.writeBytes("u1".getBytes(UTF_8));
            assertThat(oneid)
                    .isEqualTo(
                            "o"
                                    + HexFormat.of()
                                            .formatHex(hmac(k, msg.toByteArray()))
                                            .substring(0, 20));
            assertThat(redis.exists(keys.profile(t, oneid))).isTrue();
            phoneKeys.add(phoneHash);
            oneids.add(oneid);

            CliRun profile =
                    CliRun.of(
                            "profile",
                            "--tenant",
                            t,
                            "--id",
                            "phone:13800138000",
                            "--redis",
                            REDIS.url(),
                            "--config",
                            cfg.toString());
            assertThat(profile.code()).as(profile.err()).isZero();
            assertThat(profile.out()).contains(keys.profile(t, oneid)).contains("user_id:u1");
        }
        // not linkable across tenants
        assertThat(phoneKeys).hasSize(3);
        assertThat(oneids).hasSize(3);
        // no plaintext phone and no hash under the master secret itself in any key
        String masterHash =
                HexFormat.of().formatHex(hmac(MASTER.getBytes(UTF_8), "phone:" + PHONE));
        for (String key : redis.keys("*")) {
            assertThat(key).doesNotContain("13800138000").doesNotContain(masterHash);
        }
    }

    private static byte[] hmac(byte[] key, String message) throws Exception {
        return hmac(key, message.getBytes(UTF_8));
    }

    private static byte[] hmac(byte[] key, byte[] message) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(message);
    }
}
