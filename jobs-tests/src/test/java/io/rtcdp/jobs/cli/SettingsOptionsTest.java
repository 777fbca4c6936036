package io.rtcdp.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code rtcdp run -D}: a secret given itself on the command line is warned about. */
class SettingsOptionsTest {

    private static String warnings(Map<String, String> settings) {
        SettingsOptions o = new SettingsOptions();
        o.settings.putAll(settings);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        o.warnIfSecretsOnCommandLine(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aSecretValueOnTheCommandLineIsWarnedAboutWithoutShowingIt() {
        String secret = "a-long-default-secret-0123456789abcdef";
        assertThat(warnings(Map.of("default-secret", secret)))
                .isEqualTo(SecretOptions.COMMAND_LINE_WARNING + System.lineSeparator())
                .doesNotContain(secret);
        assertThat(warnings(Map.of("parallelism", "2", "tenant-secret.acme", secret)))
                .isEqualTo(SecretOptions.COMMAND_LINE_WARNING + System.lineSeparator());
    }

    @Test
    void referencesToTheEnvironmentOrAFileAndOtherSettingsAreNot() {
        assertThat(
                        warnings(
                                Map.of(
                                        "default-secret", "${env:RTCDP_DEFAULT_SECRET}",
                                        "tenant-secret.acme", "${file:/run/secrets/acme}",
                                        "parallelism", "2")))
                .isEmpty();
    }
}
