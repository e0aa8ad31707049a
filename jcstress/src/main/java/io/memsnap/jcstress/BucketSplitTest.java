package io.memsnap.jcstress;

import io.memsnap.internal.index.HashIndex;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import static io.memsnap.internal.format.IndexPageDescriptor.BUCKET_SLOTS;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A full bucket at the global depth splits in place (no freeze since its pages were made): the directory doubles
 * (entries copied with plain stores, then the depth stored volatile), the live slots move to two new buckets
 * (plain stores), and the directory entries are relinked to them with release stores ({@code HashIndex.prepare}).
 */
@JCStressTest
@Description("HashIndex.prepare on a full bucket of local depth 0 in an index of global depth 0, with no freeze " +
    "since the pages were made, doubles the directory in place (entry 1 copied from entry 0, then the depth 1 " +
    "stored volatile), moves the even-hash keys to one new bucket and the odd-hash keys to another (plain " +
    "stores), and points entries 0 and 1 at them with release stores. Readers load the depth volatile, the " +
    "entries with acquire loads, and the depth again (starting again if it changed). Keys in the bucket before " +
    "the split are always found: r1 the even key's address, r2 the odd key's.")
@Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "both keys found, in the old bucket or in the new ones")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "the odd key missed: the old depth (0) loaded, then entry 0 " +
    "already pointing at the even half, and the depth not loaded again")
@Outcome(expect = FORBIDDEN, desc = "a key missed, or a wrong address")
@State
public class BucketSplitTest
{
    private static final long EVEN_HASH = 0x10;
    private static final long ODD_HASH = 0x11;
    private static final long NEW_HASH = 0x12;
    private static final long EVEN_KEY = 1;
    private static final long ODD_KEY = 2;
    private static final long NEW_KEY = 3;

    private final Records records = new Records(3);
    private final IndexArena.Lease lease;
    private final HashIndex index;

    public BucketSplitTest()
    {
        lease = IndexArena.newIndex(this::fill);
        index = lease.index();
    }

    private void fill(final HashIndex index)
    {
        records.put(index, EVEN_HASH, EVEN_KEY, 1);
        records.put(index, ODD_HASH, ODD_KEY, 2);
        // The rest of the bucket: the fillers' addresses have no record, and their hashes match no key looked up.
        for (int i = 2; i < BUCKET_SLOTS; i++)
        {
            final long hash = 0x1000 + i;
            index.put(index.prepare(hash), hash, Records.KEY, -i, records, 1000 + i);
        }
    }

    @Actor
    public void writer()
    {
        records.put(index, NEW_HASH, NEW_KEY, 3);
    }

    @Actor
    public void reader(final JJ_Result r)
    {
        r.r1 = index.lookup(EVEN_HASH, Records.KEY, EVEN_KEY, records);
        r.r2 = index.lookup(ODD_HASH, Records.KEY, ODD_KEY, records);
    }

    @Arbiter
    public void release()
    {
        lease.release();
    }
}
