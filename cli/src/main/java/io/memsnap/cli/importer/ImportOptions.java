package io.memsnap.cli.importer;

import io.memsnap.StoreOptions;

/**
 * How an import creates its store: the base {@link StoreOptions} (whose dimension is replaced), the dimension
 * asked for on the command line (or null to take the input's), the dimension used when neither says, and the
 * clock used for timestamps the input lacks. Thread safe: immutable.
 */
public final class ImportOptions
{
    /** Dimension of a store imported from input that has no vectors and no --dimension (as {@code load}). */
    public static final int DEFAULT_DIMENSION = 1 << 18;

    private final StoreOptions storeOptions;
    private final Integer dimension;
    private final long nowMillis;

    public ImportOptions(final StoreOptions storeOptions, final Integer dimension, final long nowMillis)
    {
        if (dimension != null && dimension < 1)
        {
            throw new IllegalArgumentException("--dimension must be at least 1, was " + dimension);
        }
        this.storeOptions = storeOptions;
        this.dimension = dimension;
        this.nowMillis = nowMillis;
    }

    /** @return production defaults: default store options, the input's dimension, the current time. */
    public static ImportOptions defaults(final Integer dimension)
    {
        return new ImportOptions(StoreOptions.builder().build(), dimension, System.currentTimeMillis());
    }

    public StoreOptions storeOptions()
    {
        return storeOptions;
    }

    /** @return the dimension asked for, or null. */
    public Integer dimension()
    {
        return dimension;
    }

    /** @return the time stamped on entries whose input has none, epoch ms. */
    public long nowMillis()
    {
        return nowMillis;
    }
}
