package io.memsnap.bench;

/**
 * The shape of the benchmarks' vectors, a benchmark parameter: {@code corpus} (the term-frequency vectors of the
 * {@link Corpus} and synthetic ones drawn like them: about 3 KB a record) or {@code nnzN} (exactly {@code N}
 * non-zeros each, indices drawn by the corpus's document frequencies: {@code nnz30} is about 300 bytes a record).
 * Immutable.
 */
public final class VectorShape
{
    /** The corpus's own shape. */
    public static final String CORPUS = "corpus";
    private static final String FIXED = "nnz";
    /** The bytes of a key-value peer's value beside its vector: importance, time, counts and 24 of metadata. */
    private static final int VALUE_OVERHEAD = 20 + 24;

    private final String name;
    private final int nonZeros;

    private VectorShape(final String name, final int nonZeros)
    {
        this.name = name;
        this.nonZeros = nonZeros;
    }

    /** @return the shape named {@code corpus} or {@code nnzN}. */
    public static VectorShape of(final String name)
    {
        if (CORPUS.equals(name))
        {
            return new VectorShape(name, 0);
        }
        if (name.startsWith(FIXED))
        {
            try
            {
                final int n = Integer.parseInt(name.substring(FIXED.length()));
                if (n > 0)
                {
                    return new VectorShape(name, n);
                }
            }
            catch (final NumberFormatException ignored)
            {
                // falls through to the message below
            }
        }
        throw new IllegalArgumentException("unknown vector shape '" + name + "': corpus or nnzN (N > 0)");
    }

    public String name()
    {
        return name;
    }

    /** @return the non-zeros of every vector, or 0 for the corpus's shape. */
    public int nonZeros()
    {
        return nonZeros;
    }

    /** @return the mean bytes of a value as the key-value peers store it ({@code RecordCodec}). */
    public double meanValueBytes()
    {
        if (nonZeros > 0)
        {
            return VALUE_OVERHEAD + 8.0 * nonZeros;
        }
        final Corpus corpus = Corpus.load();
        return VALUE_OVERHEAD + 8.0 * corpus.totalNonZeros() / corpus.documents();
    }

    /** @return the suffix of a store's directory: none for the corpus's shape (its stores predate shapes). */
    public String storeSuffix()
    {
        return nonZeros == 0 ? "" : "-" + name;
    }

    @Override
    public String toString()
    {
        return name;
    }
}
