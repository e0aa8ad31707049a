package io.memsnap;

/**
 * Receives entries without copying them. The {@link EntryView} passed in is valid only during the call (afterwards
 * its methods throw {@link IllegalStateException}) and must not be retained or handed to another thread.
 */
@FunctionalInterface
public interface EntryVisitor
{
    /**
     * Called once an entry, on the thread that reads.
     *
     * @param entry the entry, valid only during this call.
     */
    void visit(EntryView entry);
}
