package io.rtcdp.udf.ml;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * BG/NBD's parameters fitted in the live job to a tenant's customers ({@link BgNbdSample#fit}), as
 * the text the fit stage sends the decision stage over its broadcast input (and keeps there in
 * state): {@code {"bgnbd_fit": {"tenant": T, "r": .., "alpha": .., "a": .., "b": .., "as_of": ms,
 * "customers": n, "sampled": m}}}. It never comes from a topic: the models topic takes model
 * versions only.
 *
 * @param tenant the tenant whose customers were fitted
 * @param params the parameters, in days
 * @param asOf the event time the customers' ages are measured to (ms)
 * @param customers how many customers the sample stands for
 * @param sampled how many customers it holds
 */
public record BgNbdFit(String tenant, BgNbd.Params params, long asOf, long customers, int sampled) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "{\"bgnbd_fit\":";

    /** Whether a broadcast text is a fit rather than a rule set or a model version. */
    public static boolean isFit(String text) {
        return text.startsWith(PREFIX);
    }

    /**
     * This fit's identity: a 64-bit hash of its parameters, {@code as_of} and counts, never 0
     * (which stands for the models' own parameters), so that two fits with the same {@code as_of}
     * from different samples are told apart.
     */
    public long id() {
        long h =
                org.apache.datasketches.hash.MurmurHash3.hash(
                        new long[] {
                            Double.doubleToLongBits(params.r()),
                            Double.doubleToLongBits(params.alpha()),
                            Double.doubleToLongBits(params.a()),
                            Double.doubleToLongBits(params.b()),
                            asOf,
                            customers,
                            sampled
                        },
                        0x5EEDB6L)[0];
        return h == 0 ? 1 : h;
    }

    public String toText() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode f = root.putObject("bgnbd_fit");
        f.put("tenant", tenant);
        f.put("r", params.r());
        f.put("alpha", params.alpha());
        f.put("a", params.a());
        f.put("b", params.b());
        f.put("as_of", asOf);
        f.put("customers", customers);
        f.put("sampled", sampled);
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @throws IllegalArgumentException for a text that is not a fit
     */
    public static BgNbdFit fromText(String text) {
        JsonNode f;
        try {
            f = JSON.readTree(text).path("bgnbd_fit");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("BG/NBD fit is not JSON: " + e.getOriginalMessage());
        }
        if (!f.isObject() || !f.path("tenant").isTextual()) {
            throw new IllegalArgumentException("not a BG/NBD fit");
        }
        return new BgNbdFit(
                f.get("tenant").asText(),
                new BgNbd.Params(
                        f.path("r").asDouble(),
                        f.path("alpha").asDouble(),
                        f.path("a").asDouble(),
                        f.path("b").asDouble()),
                f.path("as_of").asLong(),
                f.path("customers").asLong(),
                f.path("sampled").asInt());
    }
}
