package io.memsnap.jcstress;

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
 * A new key's slot (hash and address) is filled with plain stores before the bucket's count is published with a
 * release store ({@code HashIndex.put}); readers load the count with an acquire load ({@code lookup},
 * {@code forEach}).
 */
@JCStressTest
@Description("HashIndex.put of a new key fills the next slot (hash, then address) with plain stores and then " +
    "publishes the bucket's count with a release store; forEach and lookup load the count with an acquire load. " +
    "The reader runs forEach, then lookup. A slot that forEach counts is whole (its hash and address), and once " +
    "forEach has seen it lookup finds the key and its record. r1, r2: hash and address of the new slot as forEach " +
    "saw it (0, 0: not counted yet); r3: what lookup of the new key returned.")
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "the new key not seen yet")
@Outcome(id = "0, 0, 2", expect = ACCEPTABLE, desc = "forEach ran before the count was published, lookup after")
@Outcome(id = "202, 2, 2", expect = ACCEPTABLE, desc = "the whole new slot, then the key found")
@Outcome(id = "202, 2, 0", expect = FORBIDDEN, desc = "forEach counted the slot, lookup then missed the key or its " +
    "record")
@Outcome(id = "0, 2, .*", expect = FORBIDDEN, desc = "a counted slot with its address but not its hash")
@Outcome(expect = FORBIDDEN, desc = "a torn slot, the old key missed or visited twice")
@State
public class SlotCountPublicationTest
{
    private static final long OLD_HASH = 101;
    private static final long NEW_HASH = 202;
    private static final long OLD_KEY = 1;
    private static final long NEW_KEY = 2;

    private final Records records = new Records(2);
    private final IndexArena.Lease lease;
    private final HashIndex index;

    public SlotCountPublicationTest()
    {
        // One key in the bucket already, so the new slot is not at the start of the page.
        lease = IndexArena.newIndex(index -> records.put(index, OLD_HASH, OLD_KEY, 1));
        index = lease.index();
    }

    @Actor
    public void writer()
    {
        records.put(index, NEW_HASH, NEW_KEY, 2);
    }

    @Actor
    public void reader(final JJJ_Result r)
    {
        final long[] seen = new long[3]; // old slot visits, new slot's hash, new slot's address
        index.forEach((hash, address) ->
        {
            if (hash == OLD_HASH && address == 1)
            {
                seen[0]++;
            }
            else
            {
                seen[1] = seen[2] == 0 ? hash : -1; // -1: more than one new slot
                seen[2] = address;
            }
        });
        r.r1 = seen[0] == 1 ? seen[1] : -2; // -2: the old key missed or visited twice
        r.r2 = seen[2];
        r.r3 = index.lookup(NEW_HASH, Records.KEY, NEW_KEY, records);
    }

    @Arbiter
    public void release()
    {
        lease.release();
    }
}
