package io.rtcdp.jobs.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.AbstractConfiguration;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Sends what this JVM logs to a file instead of the console while the demo runs: Flink's, Kafka's,
 * RocksDB's and the Redis client's warnings, and rtcdp's own log, would otherwise be interleaved
 * with the demo's table and profile. The levels stay those of the active log4j configuration
 * ({@code log4j2.properties}); only where the lines go changes. Closing it puts the console back
 * (tests and a CLI that goes on after the demo log as before).
 */
final class LogFile implements AutoCloseable {
    private record Moved(LoggerConfig logger, Appender console) {}

    private final LoggerContext context;
    private final FileAppender file;
    private final List<Moved> moved;

    private LogFile(LoggerContext context, FileAppender file, List<Moved> moved) {
        this.context = context;
        this.file = file;
        this.moved = moved;
    }

    /**
     * Replaces every console appender of the active configuration with one appender to {@code
     * path}. Without log4j as the logging backend (another SLF4J binding), nothing changes.
     */
    static LogFile redirect(Path path) {
        if (!(LogManager.getContext(false) instanceof LoggerContext context)) {
            return new LogFile(null, null, List.of());
        }
        Configuration config = context.getConfiguration();
        FileAppender file =
                FileAppender.newBuilder()
                        .setName("rtcdp-demo-log")
                        .withFileName(path.toString())
                        .setLayout(
                                PatternLayout.newBuilder()
                                        .withConfiguration(config)
                                        .withPattern("%d{ISO8601} %-5p [%t] %c - %m%n")
                                        .build())
                        .setConfiguration(config)
                        .build();
        file.start();
        config.addAppender(file);
        List<LoggerConfig> loggers = new ArrayList<>(config.getLoggers().values());
        if (!loggers.contains(config.getRootLogger())) {
            loggers.add(config.getRootLogger());
        }
        List<Moved> moved = new ArrayList<>();
        for (LoggerConfig logger : loggers) {
            boolean replaced = false;
            for (Appender a : List.copyOf(logger.getAppenders().values())) {
                if (a instanceof ConsoleAppender) {
                    logger.removeAppender(a.getName());
                    moved.add(new Moved(logger, a));
                    replaced = true;
                }
            }
            if (replaced) {
                logger.addAppender(file, null, null);
            }
        }
        context.updateLoggers();
        return new LogFile(context, file, moved);
    }

    @Override
    public void close() {
        if (context == null) {
            return;
        }
        for (Moved m : moved) {
            m.logger().removeAppender(file.getName());
            m.logger().addAppender(m.console(), null, null);
        }
        if (context.getConfiguration() instanceof AbstractConfiguration config) {
            config.removeAppender(file.getName());
        }
        context.updateLoggers();
        file.stop();
    }
}
