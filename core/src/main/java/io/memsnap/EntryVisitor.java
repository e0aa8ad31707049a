package io.memsnap;

/**
 * Receives entries without copying them. The {@link EntryView} passed in is valid only during the call (afterwards
 * its methods throw {@link IllegalStateException}) and must not be retained or handed to another thread.
 */
@FunctionalInterface
public interface EntryVisitor
{
    void visit(EntryView entry);
}
