package io.memsnap.internal.index;

/** Tells whether the record at an address holds a key. Implementations must not allocate. */
@FunctionalInterface
public interface KeyMatcher
{
    boolean matches(long address, CharSequence key, long namespace);
}
