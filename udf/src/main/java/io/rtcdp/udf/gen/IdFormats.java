package io.rtcdp.udf.gen;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The ways people and forms write the same phone number or email. Every variant normalises
 * (docs/contract.md §2.1: phone without spaces, dashes and brackets, {@code +86} when there is no
 * leading {@code +}; email trimmed and lower-cased) to the same value, so a correct normaliser
 * keeps one person's ids together.
 */
final class IdFormats {
    private IdFormats() {}

    /** An 11-digit mainland mobile number, written one of seven ways. */
    static String phone(String digits, SplittableRandom r) {
        String a = digits.substring(0, 3);
        String b = digits.substring(3, 7);
        String c = digits.substring(7);
        return switch (r.nextInt(7)) {
            case 0 -> digits;
            case 1 -> a + "-" + b + "-" + c;
            case 2 -> "+86 " + a + " " + b + " " + c;
            case 3 -> "+86-" + a + "-" + b + "-" + c;
            case 4 -> "+86" + digits;
            case 5 -> a + " " + b + " " + c;
            default -> "(+86) " + a + " " + b + " " + c;
        };
    }

    /** A canonical (lower-case) address, written one of five ways. */
    static String email(String canonical, SplittableRandom r) {
        return switch (r.nextInt(5)) {
            case 0 -> canonical;
            case 1 -> canonical.toUpperCase(Locale.ROOT);
            case 2 -> Character.toUpperCase(canonical.charAt(0)) + canonical.substring(1);
            case 3 -> " " + canonical + " ";
            default -> {
                int at = canonical.indexOf('@');
                yield canonical.substring(0, at + 1)
                        + canonical.substring(at + 1).toUpperCase(Locale.ROOT);
            }
        };
    }
}
