package io.rtcdp.udf.identity;

import io.rtcdp.udf.profile.Strings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The evidence that ties one id to {@code user_id}s, for the protection policy ({@link
 * IdLimits#userIdEvidence()}, docs/oneid.md): per {@code user_id} value, how many events carried
 * both the id and that {@code user_id} (and no other {@code user_id}), counted up to the policy's
 * threshold and no further. Immutable.
 */
public final class UserEvidence {
    private static final byte FORMAT = 1;

    public static final UserEvidence NONE = new UserEvidence(new TreeMap<>());

    private final TreeMap<String, Integer> counts;

    private UserEvidence(TreeMap<String, Integer> counts) {
        this.counts = counts;
    }

    /** The events seen with {@code user}. */
    public int count(String user) {
        return counts.getOrDefault(user, 0);
    }

    /** This evidence with one more event of {@code user}, counted up to {@code cap}. */
    public UserEvidence plus(String user, int cap) {
        int n = count(user);
        if (n >= cap) {
            return this;
        }
        TreeMap<String, Integer> m = new TreeMap<>(counts);
        m.put(user, n + 1);
        return new UserEvidence(m);
    }

    /**
     * The one {@code user_id} value the id is protected for: the only one with at least {@code
     * threshold} events; null when none or several have.
     */
    public String protectedFor(int threshold) {
        String found = null;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (e.getValue() >= threshold) {
                if (found != null) {
                    return null;
                }
                found = e.getKey();
            }
        }
        return found;
    }

    public Map<String, Integer> counts() {
        return java.util.Collections.unmodifiableMap(counts);
    }

    /** Versioned binary form: format byte, the number of users, then each user and count. */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + 16 * counts.size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            Strings.writeVarInt(out, counts.size());
            for (Map.Entry<String, Integer> e : counts.entrySet()) {
                Strings.write(out, e.getKey());
                Strings.writeVarInt(out, e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static UserEvidence fromBytes(byte[] b) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new IOException("unknown UserEvidence format " + format);
            }
            int n = Strings.readVarInt(in);
            TreeMap<String, Integer> m = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                m.put(Strings.read(in), Strings.readVarInt(in));
            }
            return new UserEvidence(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserEvidence u && u.counts.equals(counts);
    }

    @Override
    public int hashCode() {
        return counts.hashCode();
    }

    @Override
    public String toString() {
        return "UserEvidence" + counts;
    }
}
