package io.memsnap.jcstress;

import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.index.IndexPlacement;
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
 * In a probed bucket ({@link IndexPlacement#SPREAD_PROBED}) a new key takes the first free slot from its home slot
 * on, which may be a deleted key's tombstone: {@code HashIndex.putAt} stores the new hash with a plain store and then
 * the address with a release store, over the tombstone's hash and address; readers load a slot's address (acquire)
 * before its hash, and probe on past tombstones to the first slot never used.
 */
@JCStressTest
@Description("Keys A, C, B share home slot 0 of a probed bucket. A (slot 0) was put and removed, leaving a " +
    "tombstone with A's hash, and C sits in slot 1. The writer puts B, which takes slot 0: B's hash (plain store), " +
    "then its address (release store). The reader runs forEach, then lookups of B and of C. r1: the hash forEach saw " +
    "with B's address (0: B not seen; -2: C missed or seen twice, or a tombstone visited); r2: lookup of B; r3: " +
    "lookup of C, which no step of the writer may hide.")
@Outcome(id = "0, 0, 3", expect = ACCEPTABLE, desc = "B not seen yet")
@Outcome(id = "0, 2, 3", expect = ACCEPTABLE, desc = "forEach ran before B's address was stored, lookup after")
@Outcome(id = "2199023255808, 2, 3", expect = ACCEPTABLE, desc = "B's slot whole, then B found")
@Outcome(id = "1099511628032, .*", expect = FORBIDDEN, desc = "B's address with the tombstone's hash (A's)")
@Outcome(id = "2199023255808, 0, 3", expect = FORBIDDEN, desc = "forEach saw B, lookup then missed it")
@Outcome(expect = FORBIDDEN, desc = "C missed, or a slot torn otherwise")
@State
public class TombstoneReuseTest
{
    /** Low 32 bits shared by the three hashes: home slot 0. */
    private static final long LOW = 0x100;
    private static final long HASH_A = (1L << 40) | LOW;
    private static final long HASH_B = (2L << 40) | LOW;
    private static final long HASH_C = (3L << 40) | LOW;
    private static final long KEY_A = 1;
    private static final long KEY_B = 2;
    private static final long KEY_C = 3;

    private final Records records = new Records(3);
    private final IndexArena.Lease lease;
    private final HashIndex index;

    public TombstoneReuseTest()
    {
        lease = IndexArena.newIndex(IndexPlacement.SPREAD_PROBED, index ->
        {
            records.put(index, HASH_A, KEY_A, 1);
            records.put(index, HASH_C, KEY_C, 3);
            records.remove(index, HASH_A, KEY_A);
        });
        index = lease.index();
    }

    @Actor
    public void writer()
    {
        records.put(index, HASH_B, KEY_B, 2);
    }

    @Actor
    public void reader(final JJJ_Result r)
    {
        final long[] seen = new long[3]; // visits of C, the hash seen with B's address, other visits
        index.forEach((hash, address) ->
        {
            if (hash == HASH_C && address == 3)
            {
                seen[0]++;
            }
            else if (address == 2)
            {
                seen[1] = hash;
            }
            else
            {
                seen[2]++;
            }
        });
        r.r1 = seen[0] == 1 && seen[2] == 0 ? seen[1] : -2;
        r.r2 = index.lookup(HASH_B, Records.KEY, KEY_B, records);
        r.r3 = index.lookup(HASH_C, Records.KEY, KEY_C, records);
    }

    @Arbiter
    public void release()
    {
        lease.release();
    }
}
