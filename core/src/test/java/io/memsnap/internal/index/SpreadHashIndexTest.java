package io.memsnap.internal.index;

/**
 * Every case of {@link HashIndexTest} again, with the keys placed by {@link IndexPlacement#SPREAD}: splits, directory
 * doublings, compaction of tombstones, frozen versions, {@code forEach} over a directory caught half-way through a
 * split, colliding hashes, and the pages the current version reaches.
 */
class SpreadHashIndexTest extends HashIndexTest
{
    @Override
    int placement()
    {
        return IndexPlacement.SPREAD;
    }
}
