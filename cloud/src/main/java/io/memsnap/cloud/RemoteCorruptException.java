package io.memsnap.cloud;

/**
 * An object under the prefix does not hold what its manifest or its own checksum says: damaged, truncated, or
 * missing. Nothing was installed. Thread safe: immutable.
 */
public class RemoteCorruptException extends RemoteException
{
    private static final long serialVersionUID = 1L;

    private final String key;

    /**
     * @param key     the object's key under the prefix.
     * @param problem what does not match.
     */
    public RemoteCorruptException(final String key, final String problem)
    {
        super("remote object " + key + " is damaged: " + problem + ". Nothing was installed; restore another " +
            "generation (memsnap list), or push again from a store that holds it");
        this.key = key;
    }

    /** @return the key of the damaged object under the prefix. */
    public String key()
    {
        return key;
    }
}
