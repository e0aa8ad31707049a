package io.memsnap.jcstress;

import io.memsnap.CorruptStoreException;
import io.memsnap.internal.index.HashIndex;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * After {@code HashIndex.freeze}, the first change copies the bucket, the directory page and the root
 * ({@code prepare}); the copied root is published through the volatile root field, the copied directory page and
 * bucket with release stores of the entries that name them.
 */
@JCStressTest
@Description("After HashIndex.freeze every page is immutable: putting a new key copies its bucket, the directory " +
    "page and the root (copyPage, plain stores), publishes the root copy through the volatile rootPage field and " +
    "the other copies with release stores of the directory entries, then fills the new slot in the bucket copy. A " +
    "reader that sees the new root sees the copied pages whole, so a key put before the freeze is always found. " +
    "r1: 1 if the reader's first load of the root saw the copy; r2: lookup of the old key (-1: a page reached was " +
    "not filled yet, CorruptStoreException); r3: lookup of the new key.")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "the frozen version")
@Outcome(id = "0, 1, 2", expect = ACCEPTABLE, desc = "the frozen root first, the new version by the second lookup")
@Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "the copies, the new key's count not published yet")
@Outcome(id = "1, 1, 2", expect = ACCEPTABLE, desc = "the copies and the new key")
@Outcome(id = "1, 0, .*", expect = FORBIDDEN, desc = "the new root seen without the old key its copies hold")
@Outcome(id = ".*, -1, .*", expect = FORBIDDEN, desc = "a copied page reached before its bytes")
@Outcome(expect = FORBIDDEN, desc = "the old key missed, or a wrong address")
@State
public class RootCopyOnWriteTest
{
    private static final long OLD_HASH = 0x1001;
    private static final long NEW_HASH = 0x2002;
    private static final long OLD_KEY = 1;
    private static final long NEW_KEY = 2;

    private final Records records = new Records(2);
    private final IndexArena.Lease lease;
    private final HashIndex index;
    private final int frozenRoot;

    public RootCopyOnWriteTest()
    {
        lease = IndexArena.newIndex(index ->
        {
            records.put(index, OLD_HASH, OLD_KEY, 1);
            index.freeze();
        });
        index = lease.index();
        frozenRoot = index.rootPage();
    }

    @Actor
    public void writer()
    {
        records.put(index, NEW_HASH, NEW_KEY, 2);
    }

    @Actor
    public void reader(final JJJ_Result r)
    {
        r.r1 = index.rootPage() == frozenRoot ? 0 : 1;
        try
        {
            r.r2 = index.lookup(OLD_HASH, Records.KEY, OLD_KEY, records);
            r.r3 = index.lookup(NEW_HASH, Records.KEY, NEW_KEY, records);
        }
        catch (final CorruptStoreException e)
        {
            r.r2 = -1;
        }
    }

    @Arbiter
    public void release()
    {
        lease.release();
    }
}
