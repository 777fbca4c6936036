package io.rtcdp.udf.event;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Masks what may be PII in a dead letter's payload (docs/contract.md §4.1): every value under an
 * {@code ids} key (any id type, PII or not), every value of a PII trait under a {@code traits} key
 * and the value of {@code text} under a {@code props} key (a customer's own words) becomes {@code
 * "***"}, whether the record is valid JSON or not.
 *
 * <p>A dead letter's record is often broken, so this is no JSON parser but a lenient scan, left to
 * right without looking ahead: strings (with escapes, up to the closing quote or the end of the
 * text), bare tokens (numbers, literals, garbage: any run of characters that are neither white
 * space nor {@code {}[],:"}) and brackets. Each object remembers the last string or bare token that
 * could be its current key; a value takes its meaning from that key and from where the object lies:
 *
 * <ul>
 *   <li>outside {@code ids} and {@code traits}: the value of a key {@code ids} is masked whole (a
 *       scalar, or every key and scalar of an object or array under it, but for the keys that name
 *       an id type); an object value of a key {@code traits} is a traits object, one of a key
 *       {@code props} a props object; at any depth, so that a record whose nesting is broken keeps
 *       no id unmasked;
 *   <li>in a props object: as outside, and the value of a key {@code text} is masked whole;
 *   <li>in a traits object: the value of a PII trait key is masked whole;
 *   <li>{@code null}, {@code true} and {@code false} are kept (they carry nothing), as are every
 *       bracket, comma, colon and white space: the shape of the record stays visible, and a valid
 *       JSON record stays valid JSON.
 * </ul>
 *
 * <p>A token that is ambiguous in broken JSON (a string after a value without a comma, a string
 * after a key without a colon) is taken both as a value of the key before it and as a key: masked
 * when either reading masks it.
 *
 * <p>When the text is only the head of a longer record ({@code headOfLonger}), a string or bare
 * token that reaches the end of the text may continue beyond it; where its continuation could
 * change its mask (a key of an ids object, a bare token in a masked place, which may be a literal)
 * it is left out: so the masked head is always a beginning of the masked whole record.
 */
public final class PayloadMask implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What replaces a masked value or key. */
    public static final String MASK = "\"***\"";

    /** Masks ids only: for records whose PII traits are hashed already. */
    public static final PayloadMask IDS_ONLY = new PayloadMask(k -> false);

    private static final Set<String> LITERALS = Set.of("null", "true", "false");

    private final SerializablePredicate piiTrait;

    /** A serializable test of trait keys. */
    @FunctionalInterface
    public interface SerializablePredicate extends Predicate<String>, Serializable {}

    /** Masks ids and the traits {@code piiTrait} accepts (of any tenant). */
    public PayloadMask(SerializablePredicate piiTrait) {
        this.piiTrait = piiTrait;
    }

    /** The mask of a parser: ids, and the PII traits of every tenant. */
    public static PayloadMask of(ParserConfig config) {
        return config.hasPiiTraits() ? new PayloadMask(config::isPiiTraitOfAnyTenant) : IDS_ONLY;
    }

    private enum Mode {
        /** Not under {@code ids} or {@code traits}. */
        PLAIN,
        /** The object of an {@code ids} key: keys that name an id type are kept. */
        IDS,
        /** A traits object: values of PII keys are masked. */
        TRAITS,
        /** A props object: as {@link #PLAIN}, and the value of {@code text} is masked. */
        PROPS,
        /** Inside a masked value: every key and scalar is masked. */
        ALL
    }

    /** Where an object is: waiting for a key, after a key, after a colon, after a value. */
    private enum State {
        KEY,
        AFTER_KEY,
        VALUE,
        AFTER_VALUE
    }

    private static final class Frame {
        final boolean object;
        final Mode mode;
        State state = State.KEY;
        String key;

        Frame(boolean object, Mode mode) {
            this.object = object;
            this.mode = mode;
        }
    }

    /**
     * The text with what may be PII masked; null stays null.
     *
     * @param headOfLonger whether {@code text} is the beginning of a longer record
     */
    public String mask(String text, boolean headOfLonger) {
        if (text == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(text.length());
        Deque<Frame> stack = new ArrayDeque<>();
        // The record's own level is an object without braces: a broken record may go on after
        // its root object closes, and its keys still count.
        Frame root = new Frame(true, Mode.PLAIN);
        stack.push(root);
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            Frame f = stack.peek();
            switch (c) {
                case '{':
                case '[':
                    {
                        Mode child = childMode(f, c == '{');
                        afterValueStarts(f);
                        stack.push(new Frame(c == '{', child));
                        out.append(c);
                        i++;
                        break;
                    }
                case '}':
                case ']':
                    if (f != root) {
                        stack.pop();
                        stack.peek().state = State.AFTER_VALUE;
                    }
                    out.append(c);
                    i++;
                    break;
                case ',':
                    if (f.object) {
                        f.state = State.KEY;
                        f.key = null;
                    }
                    out.append(c);
                    i++;
                    break;
                case ':':
                    if (f.object) {
                        f.state = State.VALUE;
                    }
                    out.append(c);
                    i++;
                    break;
                case ' ':
                case '\t':
                case '\n':
                case '\r':
                    out.append(c);
                    i++;
                    break;
                default:
                    {
                        boolean string = c == '"';
                        int end = string ? stringEnd(text, i) : bareEnd(text, i);
                        boolean complete = string ? end <= n : end < n;
                        end = Math.min(end, n);
                        String token = text.substring(i, end);
                        // a string's mask may depend on its text only where it may be a key of
                        // an ids object; a bare token's also through the literals it may become
                        boolean textDecides =
                                string
                                        ? f.object && f.mode == Mode.IDS && f.state == State.KEY
                                        : f.object && f.mode == Mode.IDS;
                        boolean masked = scalar(f, string ? decode(token) : token);
                        if (!string && masked && LITERALS.contains(token)) {
                            masked = false;
                        }
                        if (!complete && headOfLonger && (textDecides || (!string && masked))) {
                            // it may go on beyond the head, and what it is then decides its
                            // mask: left out, so that the masked head is a beginning of the
                            // masked record
                            return out.toString();
                        }
                        out.append(masked ? MASK : token);
                        i = end;
                        break;
                    }
            }
        }
        return out.toString();
    }

    /**
     * Takes a string or bare token in frame {@code f}; whether it is masked. {@code text} is the
     * token's text (a string's decoded content).
     */
    private boolean scalar(Frame f, String text) {
        if (!f.object) {
            return f.mode == Mode.ALL;
        }
        boolean masked = false;
        boolean mayBeKey = f.state != State.VALUE;
        boolean mayBeValue = f.state != State.KEY;
        if (mayBeValue) {
            masked = valueMasked(f.mode, f.key);
        }
        if (mayBeKey) {
            masked |= keyMasked(f.mode, text);
            f.key = text;
            f.state = State.AFTER_KEY;
        } else {
            f.state = State.AFTER_VALUE;
        }
        return masked;
    }

    private static boolean keyMasked(Mode mode, String key) {
        switch (mode) {
            case ALL:
                return true;
            case IDS:
                return !IdTypes.isKnown(key);
            default:
                return false;
        }
    }

    private boolean valueMasked(Mode mode, String key) {
        switch (mode) {
            case ALL:
            case IDS:
                return true;
            case TRAITS:
                return key != null && piiTrait.test(key);
            case PROPS:
                return "ids".equals(key) || "text".equals(key);
            default:
                return "ids".equals(key);
        }
    }

    /** The mode of a container that starts in frame {@code f}. */
    private Mode childMode(Frame f, boolean object) {
        if (!f.object) {
            return f.mode == Mode.ALL ? Mode.ALL : Mode.PLAIN;
        }
        String key = f.state == State.KEY ? null : f.key;
        switch (f.mode) {
            case ALL:
            case IDS:
                return Mode.ALL;
            case TRAITS:
                return key != null && piiTrait.test(key) ? Mode.ALL : Mode.PLAIN;
            default:
                if ("ids".equals(key)) {
                    return object ? Mode.IDS : Mode.ALL;
                }
                if (f.mode == Mode.PROPS && "text".equals(key)) {
                    return Mode.ALL;
                }
                if (object && "props".equals(key)) {
                    return Mode.PROPS;
                }
                return object && "traits".equals(key) ? Mode.TRAITS : Mode.PLAIN;
        }
    }

    private static void afterValueStarts(Frame f) {
        if (f.object) {
            f.state = State.AFTER_VALUE;
        }
    }

    /** The index after a string's closing quote, or {@code text.length() + 1} when unclosed. */
    private static int stringEnd(String text, int from) {
        int n = text.length();
        for (int i = from + 1; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i + 1;
            }
        }
        return n + 1;
    }

    /** The index after a bare token (which then ends the text when it is {@code length()}). */
    private static int bareEnd(String text, int from) {
        int n = text.length();
        for (int i = from; i < n; i++) {
            switch (text.charAt(i)) {
                case '{':
                case '}':
                case '[':
                case ']':
                case ',':
                case ':':
                case '"':
                case ' ':
                case '\t':
                case '\n':
                case '\r':
                    return i;
                default:
                    break;
            }
        }
        return n;
    }

    /** A string token's content with JSON escapes decoded (leniently: a bad escape is kept). */
    private static String decode(String token) {
        int end = token.length() > 1 && token.endsWith("\"") ? token.length() - 1 : token.length();
        if (token.indexOf('\\') < 0) {
            return token.substring(1, Math.max(1, end));
        }
        StringBuilder sb = new StringBuilder(end);
        for (int i = 1; i < end; i++) {
            char c = token.charAt(i);
            if (c != '\\' || i + 1 >= end) {
                sb.append(c);
                continue;
            }
            char e = token.charAt(++i);
            switch (e) {
                case 'n':
                    sb.append('\n');
                    break;
                case 't':
                    sb.append('\t');
                    break;
                case 'r':
                    sb.append('\r');
                    break;
                case 'b':
                    sb.append('\b');
                    break;
                case 'f':
                    sb.append('\f');
                    break;
                case 'u':
                    if (i + 4 < end) {
                        try {
                            sb.append((char) Integer.parseInt(token.substring(i + 1, i + 5), 16));
                            i += 4;
                            break;
                        } catch (NumberFormatException ex) {
                            // not an escape: kept as written
                        }
                    }
                    sb.append('\\').append(e);
                    break;
                default:
                    sb.append(e);
                    break;
            }
        }
        return sb.toString();
    }
}
