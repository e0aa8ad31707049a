package io.memsnap;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what the engine logs through its {@code System.Logger} named {@code io.memsnap} (which the JDK routes to
 * {@code java.util.logging}) while open, in place of the console. Thread safe: records arrive from the store's
 * background threads.
 */
final class EngineLogCapture extends Handler implements AutoCloseable
{
    /** Held so that the handler is not lost when the logger is collected. */
    private final Logger engineLog = Logger.getLogger("io.memsnap");
    private final List<LogRecord> records = new ArrayList<>();
    private final boolean usedParentHandlers;

    /** Collects the records instead of printing them (a test provokes them on purpose). */
    EngineLogCapture()
    {
        setLevel(Level.ALL);
        usedParentHandlers = engineLog.getUseParentHandlers();
        engineLog.setUseParentHandlers(false);
        engineLog.addHandler(this);
    }

    @Override
    public synchronized void publish(final LogRecord record)
    {
        records.add(record);
    }

    /** @return the messages logged at {@code level} so far that contain {@code text}. */
    synchronized List<String> messages(final Level level, final String text)
    {
        final List<String> found = new ArrayList<>();
        for (final LogRecord record : records)
        {
            if (record.getLevel().equals(level) && record.getMessage().contains(text))
            {
                found.add(record.getMessage());
            }
        }
        return found;
    }

    @Override
    public void flush()
    {
    }

    @Override
    public void close()
    {
        engineLog.removeHandler(this);
        engineLog.setUseParentHandlers(usedParentHandlers);
    }
}
