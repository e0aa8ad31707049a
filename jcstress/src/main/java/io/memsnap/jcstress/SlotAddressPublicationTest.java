package io.memsnap.jcstress;

import io.memsnap.internal.index.HashIndex;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A key's new address, put over its old one, is published with a release store of the slot's address
 * ({@code HashIndex.put}) and read with an acquire load ({@code HashIndex.lookup}).
 */
@JCStressTest
@Description("HashIndex.put of a key already in the index stores the new record address in the slot with a release " +
    "store; lookup loads it with an acquire load. A reader that gets the new address therefore sees the record " +
    "written before it, so it finds the key with its old or its new record, never with neither.")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "the old address and its record")
@Outcome(id = "2, 2", expect = ACCEPTABLE, desc = "the new address and its record")
@Outcome(id = "0, -1", expect = FORBIDDEN, desc = "key not found: the new address was seen before its record's key")
@Outcome(expect = FORBIDDEN, desc = "an address with the wrong record, or a torn address")
@State
public class SlotAddressPublicationTest
{
    private static final long HASH = 0x5EED_0001L;
    private static final long KEY = 11;

    private final Records records = new Records(2);
    private final IndexArena.Lease lease;
    private final HashIndex index;

    public SlotAddressPublicationTest()
    {
        lease = IndexArena.newIndex(index -> records.put(index, HASH, KEY, 1));
        index = lease.index();
    }

    @Actor
    public void writer()
    {
        records.put(index, HASH, KEY, 2);
    }

    @Actor
    public void reader(final JJ_Result r)
    {
        final long address = index.lookup(HASH, Records.KEY, KEY, records);
        r.r1 = address;
        r.r2 = address == 0 ? -1 : records.payload(address);
    }

    @Arbiter
    public void release()
    {
        lease.release();
    }
}
