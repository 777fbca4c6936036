package io.rtcdp.jobs.cli;

import io.rtcdp.jobs.Environments;
import io.rtcdp.jobs.IdCommands;
import io.rtcdp.jobs.RtcdpConfig;
import io.rtcdp.jobs.RtcdpOptions;
import io.rtcdp.udf.identity.IdCommand;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rtcdp ids}: operators' commands to the identity stage of the streaming job. */
@Command(
        name = "ids",
        mixinStandardHelpOptions = true,
        description = "Operators' commands to the streaming job's identity graph.",
        subcommands = {IdsCommand.Release.class})
public final class IdsCommand implements Runnable {
    @Override
    public void run() {
        throw new IllegalArgumentException("ids needs a subcommand: release");
    }

    /**
     * {@code rtcdp ids release}: takes an id out of quarantine (docs/oneid.md, Release). Prints the
     * command record; sends it to the commands topic only with {@code --send}.
     */
    @Command(
            name = "release",
            mixinStandardHelpOptions = true,
            description =
                    "Releases a quarantined id: its next event links it again. Prints the command"
                            + " record (the id normalised, PII hashed with the job's secret);"
                            + " --send sends it to the commands topic (kafka.topic.commands).")
    public static final class Release implements Callable<Integer> {
        @Option(names = "--tenant", required = true, paramLabel = "T", description = "Tenant.")
        String tenant;

        @Option(
                names = "--id",
                required = true,
                paramLabel = "TYPE:VALUE",
                description = "The quarantined id, e.g. phone:+8613800138000.")
        String id;

        @Option(
                names = "--bootstrap-servers",
                paramLabel = "HOST:PORT,...",
                description = "Kafka brokers (default: the setting kafka.bootstrap-servers).")
        String bootstrapServers;

        @Option(
                names = "--send",
                description =
                        "Send the command to the commands topic; without it the record is only"
                                + " printed.")
        boolean send;

        @Mixin SettingsOptions settings;

        @Override
        public Integer call() throws Exception {
            if (bootstrapServers != null) {
                settings.settings.put(RtcdpOptions.KAFKA_BOOTSTRAP.key(), bootstrapServers);
            }
            RtcdpConfig cfg = settings.load(Environments.flinkConfiguration());
            IdCommand c = IdCommands.release(cfg, tenant, id, System.currentTimeMillis());
            String topic = cfg.get(RtcdpOptions.COMMANDS_TOPIC);
            if (!send) {
                System.out.println(topic + "\t" + c.tenant() + "\t" + c.toJson());
                System.err.println("rtcdp: not sent (add --send to send it)");
                return 0;
            }
            RecordMetadata m = IdCommands.send(cfg, c);
            System.out.println(
                    "sent command "
                            + c.commandId()
                            + " to "
                            + m.topic()
                            + "/"
                            + m.partition()
                            + "@"
                            + m.offset());
            return 0;
        }
    }
}
