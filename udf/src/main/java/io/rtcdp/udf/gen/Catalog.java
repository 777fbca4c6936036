package io.rtcdp.udf.gen;

import java.util.List;

/** The fixed vocabulary of the synthetic shop: categories, prices, places and names. */
final class Catalog {

    /** Product categories; {@code props.category} values. */
    static final List<String> CATEGORIES =
            List.of(
                    "phones",
                    "computers",
                    "electronics",
                    "home_appliances",
                    "kitchen",
                    "furniture",
                    "home_decor",
                    "womens_clothing",
                    "mens_clothing",
                    "shoes",
                    "bags",
                    "beauty",
                    "skincare",
                    "baby",
                    "toys",
                    "sports",
                    "outdoor",
                    "books",
                    "groceries",
                    "pet_supplies");

    /** Median item price per category, in hundredths of a yuan (same order as CATEGORIES). */
    static final long[] MEDIAN_PRICE_CENTS = {
        249_900, 499_900, 39_900, 159_900, 12_900, 89_900, 6_900, 19_900, 17_900, 39_900, 29_900,
        15_900, 22_900, 9_900, 12_900, 19_900, 29_900, 4_500, 3_900, 8_900
    };

    /** Search terms per category (same order as CATEGORIES). */
    static final List<List<String>> SEARCH_TERMS =
            List.of(
                    List.of("5g phone", "iphone", "phone case", "fast charger"),
                    List.of("laptop", "gaming laptop", "mechanical keyboard", "monitor 27"),
                    List.of("earbuds", "smart watch", "bluetooth speaker", "power bank"),
                    List.of("air fryer", "robot vacuum", "air purifier", "washing machine"),
                    List.of("rice cooker", "knife set", "non-stick pan", "coffee maker"),
                    List.of("sofa", "office chair", "bookshelf", "mattress"),
                    List.of("curtains", "desk lamp", "vase", "wall art"),
                    List.of("dress", "down jacket", "silk scarf", "jeans women"),
                    List.of("polo shirt", "suit", "jeans men", "hoodie"),
                    List.of("running shoes", "sneakers", "boots", "sandals"),
                    List.of("backpack", "handbag", "suitcase", "wallet"),
                    List.of("lipstick", "perfume", "foundation", "eye shadow"),
                    List.of("sunscreen", "face mask", "serum", "moisturizer"),
                    List.of("diapers", "baby formula", "stroller", "baby bottle"),
                    List.of("lego", "puzzle", "plush toy", "rc car"),
                    List.of("yoga mat", "dumbbells", "badminton racket", "basketball"),
                    List.of("tent", "hiking backpack", "camping chair", "fishing rod"),
                    List.of("novel", "cookbook", "children's book", "history"),
                    List.of("green tea", "rice 5kg", "snacks", "olive oil"),
                    List.of("cat food", "dog leash", "cat litter", "pet bed"));

    static final List<String> CITIES =
            List.of(
                    "Shanghai",
                    "Beijing",
                    "Shenzhen",
                    "Guangzhou",
                    "Hangzhou",
                    "Chengdu",
                    "Wuhan",
                    "Nanjing",
                    "Chongqing",
                    "Xi'an",
                    "Suzhou",
                    "Tianjin",
                    "Changsha",
                    "Qingdao",
                    "Xiamen",
                    "Kunming");

    /** Relative population weight of each city (same order as CITIES). */
    static final double[] CITY_WEIGHTS = {10, 9, 8, 8, 6, 6, 4, 4, 5, 3, 3, 4, 3, 2, 2, 2};

    static final List<String> GENDERS = List.of("female", "male", "unknown");
    static final double[] GENDER_WEIGHTS = {48, 44, 8};

    static final List<String> AGE_BANDS = List.of("18-24", "25-34", "35-44", "45-54", "55+");
    static final double[] AGE_BAND_WEIGHTS = {18, 34, 25, 14, 9};

    static final List<String> MEMBER_LEVELS = List.of("none", "silver", "gold", "platinum");
    static final double[] MEMBER_LEVEL_WEIGHTS = {55, 28, 13, 4};

    static final List<String> APP_VERSIONS = List.of("7.4.2", "7.5.0", "7.5.1", "8.0.0", "8.0.3");

    static final List<String> GIVEN_NAMES =
            List.of(
                    "wei", "fang", "na", "min", "jing", "li", "qiang", "lei", "jun", "yang", "yan",
                    "hui", "ying", "tao", "ming", "chao", "xiu", "ping", "hao", "yu");

    static final List<String> SURNAMES =
            List.of(
                    "wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou",
                    "xu", "sun", "ma", "zhu", "hu", "guo", "he", "gao", "lin", "luo");

    static final List<String> EMAIL_DOMAINS =
            List.of("qq.com", "163.com", "126.com", "gmail.com", "outlook.com", "foxmail.com");

    /** Mobile prefixes of the mainland numbering plan. */
    static final List<String> PHONE_PREFIXES =
            List.of(
                    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                    "152", "155", "156", "158", "159", "176", "177", "180", "181", "186", "187",
                    "188", "189", "199");

    static final List<String> FEEDBACK_PHRASES =
            List.of(
                    "Delivery was late and the box was damaged. ",
                    "Great quality, will buy again. ",
                    "The size chart is wrong, please fix it. ",
                    "Customer service solved my problem quickly. ");

    private Catalog() {}
}
