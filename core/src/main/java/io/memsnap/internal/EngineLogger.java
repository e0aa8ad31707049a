package io.memsnap.internal;

import java.util.ResourceBundle;

/**
 * The engine's {@link System.Logger}s, looked up from the platform the first time one is used: the first
 * {@link System#getLogger} of a process starts the logging backend ({@code java.util.logging} and its locale data by
 * default), about a tenth of the first open of a store in a new JVM, and an open that goes well logs nothing. Thread
 * safe.
 */
public final class EngineLogger implements System.Logger
{
    private final String name;
    private volatile System.Logger platform;

    private EngineLogger(final String name)
    {
        this.name = name;
    }

    /** @return the logger named {@code name}, which looks itself up when first used. */
    public static System.Logger of(final String name)
    {
        return new EngineLogger(name);
    }

    private System.Logger platform()
    {
        System.Logger logger = platform;
        if (logger == null)
        {
            logger = System.getLogger(name);
            platform = logger;
        }
        return logger;
    }

    @Override
    public String getName()
    {
        return name;
    }

    @Override
    public boolean isLoggable(final Level level)
    {
        return platform().isLoggable(level);
    }

    @Override
    public void log(final Level level, final ResourceBundle bundle, final String msg, final Throwable thrown)
    {
        platform().log(level, bundle, msg, thrown);
    }

    @Override
    public void log(final Level level, final ResourceBundle bundle, final String format, final Object... params)
    {
        platform().log(level, bundle, format, params);
    }
}
