package io.tributary.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Collects a logger's formatted messages so a test can check that something was logged. */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final Logger logger;
    private final List<String> messages = new CopyOnWriteArrayList<>();

    public LogCapture(Class<?> source) {
        this(source.getName());
    }

    /** By logger name, for a class the test cannot see (package-private in another package). */
    public LogCapture(String loggerName) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerName);
        start();
        logger.addAppender(this);
    }

    @Override
    protected void append(ILoggingEvent event) {
        messages.add(event.getLevel() + " " + event.getFormattedMessage());
    }

    /** Waits until a message containing {@code fragment} has been logged. */
    public void await(String fragment) {
        Poll.until(Duration.ofSeconds(10), "a log line containing '" + fragment + "' in " + messages,
                () -> messages.stream().anyMatch(m -> m.contains(fragment)));
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}
