package io.memsnap.internal.index;

/**
 * Tells when memory that lock-free readers may still hold can be freed. A thread unpublishes the memory (replaces the
 * last reference readers can load), then takes a {@link #stamp()}; once {@link #hasElapsed(long)} says so, every
 * reader that could have loaded it has left, and it may be freed.
 *
 * <p>Thread safe.
 */
public interface GracePeriods
{
    /** Grace periods for memory no reader ever sees: everything may be freed at once. */
    GracePeriods NO_READERS = new GracePeriods()
    {
        @Override
        public long stamp()
        {
            return 0;
        }

        @Override
        public boolean hasElapsed(final long stamp)
        {
            return true;
        }
    };

    /** @return a stamp for memory unpublished before this call. */
    long stamp();

    /**
     * May advance the grace periods (without blocking) as far as the readers inside allow.
     *
     * @return whether every reader that could have loaded memory unpublished before {@code stamp} was taken has left.
     */
    boolean hasElapsed(long stamp);
}
