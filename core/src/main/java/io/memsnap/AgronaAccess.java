package io.memsnap;

import org.agrona.DirectBuffer;

/**
 * Checks, before an Agrona buffer is handed out ({@link EntryView#buffer()}, the one place memsnap makes one), that
 * java.base exports {@code jdk.internal.misc} to Agrona's module (the unnamed module on the class path,
 * {@code org.agrona} on the module path), so that a JVM started without the flag gets a
 * {@link JvmFlagMissingException} naming it instead of an {@link IllegalAccessError} from inside Agrona.
 *
 * <p>Thread safe: stateless; the answer cannot change while the JVM runs, and asking again costs a map look-up.
 */
final class AgronaAccess
{
    private static final String PACKAGE = "jdk.internal.misc";

    private AgronaAccess()
    {
    }

    /** @throws JvmFlagMissingException if Agrona cannot reach {@code jdk.internal.misc}. */
    static void require()
    {
        // DirectBuffer is an interface of Agrona's that touches nothing: loading it initialises no Unsafe access.
        final Module agrona = DirectBuffer.class.getModule();
        if (!Object.class.getModule().isExported(PACKAGE, agrona))
        {
            throw new JvmFlagMissingException(flagFor(agrona));
        }
    }

    /** {@return the {@code --add-exports} flag that opens {@code jdk.internal.misc} to {@code module}.} */
    static String flagFor(final Module module)
    {
        return "--add-exports java.base/" + PACKAGE + "=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
    }
}
