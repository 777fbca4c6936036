package io.rtcdp.udf.event;

import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/** The identifier types of docs/contract.md §2, strongest first, and their order. */
public final class IdTypes {
    public static final String USER_ID = "user_id";
    public static final String PHONE = "phone";
    public static final String EMAIL = "email";
    public static final String UNION_ID = "union_id";
    public static final String DEVICE_ID = "device_id";
    public static final String COOKIE_ID = "cookie_id";

    /** Built-in types, strongest first. */
    public static final List<String> BUILT_IN =
            List.of(USER_ID, PHONE, EMAIL, UNION_ID, DEVICE_ID, COOKIE_ID);

    private static final Pattern CUSTOM = Pattern.compile("x_[a-z0-9_]{1,32}");

    /**
     * Strongest first: built-ins in the order of docs/contract.md §2, then custom `x_` types by
     * name.
     */
    public static final Comparator<String> STRENGTH =
            Comparator.comparingInt(IdTypes::rank).thenComparing(Comparator.naturalOrder());

    private IdTypes() {}

    public static boolean isKnown(String type) {
        return BUILT_IN.contains(type) || CUSTOM.matcher(type).matches();
    }

    /** 0 for `user_id` … 5 for `cookie_id`, 6 for every custom type. */
    public static int rank(String type) {
        int i = BUILT_IN.indexOf(type);
        return i >= 0 ? i : BUILT_IN.size();
    }
}
