package io.rtcdp.udf.event;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IdNormalizerTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            nullValues = "NULL",
            value = {
                "138-0013-8000         | +86 | +8613800138000",
                "(010) 1234 5678       | +86 | +8601012345678",
                "+44 20 7946 0958      | +86 | +442079460958",
                "'  13800138000  '     | +86 | +8613800138000",
                "[021].6888.1234       | +86 | +8602168881234",
                "138\u30000013\u30008000 | +86 | +8613800138000",
                "138\u20130013\u20138000 | +86 | +8613800138000",
                "020 7946 0958         | +44 | +4402079460958",
                "+1 (555) 010-9999     | +44 | +15550109999",
                "12345                 | +1  | +112345",
                "1234                  | +1  | +11234",
                "123                   | +1  | NULL",
                "+1234                 | +86 | NULL",
                "+12345                | +86 | +12345",
                "+123456789012345678   | +86 | +123456789012345678",
                "+1234567890123456789  | +86 | NULL",
                "138 0013 8000 ext. 12 | +86 | NULL",
                "+86+13800138000       | +86 | NULL",
                "'  '                  | +86 | NULL",
                "'-()'                 | +86 | NULL",
                "１３８００１３８０００    | +86 | NULL",
            })
    void phone(String raw, String countryCode, String expected) {
        assertThat(IdNormalizer.phone(raw, countryCode)).isEqualTo(expected);
        assertThat(IdNormalizer.normalize("phone", raw, countryCode)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            nullValues = "NULL",
            value = {
                "Jane.Doe@Example.COM     | jane.doe@example.com",
                "'  li.wei@example.cn\t'  | li.wei@example.cn",
                "ÉLODIE@exemple.FR        | élodie@exemple.fr",
                "a@b                      | a@b",
                "'a b@c'                  | a b@c",
                "jane.example.com         | NULL",
                "@example.com             | NULL",
                "jane@                    | NULL",
                "jane@@example.com        | NULL",
                "a@b@c                    | NULL",
                "'   '                    | NULL",
            })
    void email(String raw, String expected) {
        assertThat(IdNormalizer.email(raw)).isEqualTo(expected);
        assertThat(IdNormalizer.normalize("email", raw, "+86")).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            nullValues = "NULL",
            value = {
                "user_id   | ' U-123 '       | U-123",
                "cookie_id | c-9f8e7d        | c-9f8e7d",
                "device_id | '\t8F14E45F\u3000' | 8F14E45F",
                "union_id  | '  '            | NULL",
                "x_crm     | ' (0)-1 '       | (0)-1",
            })
    void otherTypesAreOnlyTrimmed(String type, String raw, String expected) {
        assertThat(IdNormalizer.normalize(type, raw, "+86")).isEqualTo(expected);
    }
}
