package io.memsnap;

/**
 * The JVM was started without the flag that lets Agrona reach {@code jdk.internal.misc.Unsafe}, and a call asked for
 * one of Agrona's buffers: thrown by the deprecated {@link EntryView#buffer()} (use {@link EntryView#byteBuffer()},
 * which needs no flag). Nothing else of memsnap needs the flag.
 *
 * <p>What to do: start the JVM with the flag the first line of the message names,
 * {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} when Agrona is on the class path, or
 * {@code --add-exports java.base/jdk.internal.misc=org.agrona} when it is on the module path. The rest of the
 * message says where the flag can go: the {@code java} command line, the environment variable
 * {@code JDK_JAVA_OPTIONS}, the {@code argLine} of Maven Surefire for tests, or the {@code Add-Exports} entry of an
 * executable jar's manifest.
 *
 * <p>Immutable, as every memsnap exception: it may be handed to another thread.
 */
public class JvmFlagMissingException extends MemsnapException
{
    private static final long serialVersionUID = 1L;

    /** The flag, as it is written on a {@code java} command line. */
    private final String flag;

    /**
     * A JVM started without {@code flag}; the message says where the flag can go.
     *
     * @param flag the flag this JVM needs, as it is written on a {@code java} command line.
     */
    public JvmFlagMissingException(final String flag)
    {
        super("EntryView.buffer(), an Agrona buffer, needs the JVM flag " + flag + ", and this JVM was started " +
            "without it (Agrona's buffers reach jdk.internal.misc.Unsafe; nothing else of memsnap needs the flag)." +
            System.lineSeparator() +
            "Put the flag on the java command line, or in the environment variable JDK_JAVA_OPTIONS, or, for tests, " +
            "in Maven Surefire's <argLine> (Gradle: jvmArgs of the test task); an executable jar can carry it as the " +
            "manifest entry 'Add-Exports: java.base/jdk.internal.misc' (class path only).");
        this.flag = flag;
    }

    /** {@return the flag this JVM needs, as it is written on a {@code java} command line.} */
    public String flag()
    {
        return flag;
    }
}
