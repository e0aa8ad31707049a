package io.memsnap;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns the engine's log off while a test provokes thousands of recoveries or failures on purpose (each would log
 * a warning), and back on after. Not thread safe: for a test class's setup and teardown.
 */
final class QuietEngineLog
{
    /** Held so that the level set is not lost when the logger is collected. */
    private static final Logger ENGINE_LOG = Logger.getLogger("io.memsnap");
    private static Level before;

    private QuietEngineLog()
    {
    }

    static void silence()
    {
        before = ENGINE_LOG.getLevel();
        ENGINE_LOG.setLevel(Level.OFF);
    }

    static void restore()
    {
        ENGINE_LOG.setLevel(before);
    }
}
