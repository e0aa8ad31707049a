package io.memsnap.internal.index;

/** Receives the live slots of the index during an iteration. */
@FunctionalInterface
public interface SlotVisitor
{
    void visit(long hash, long address);
}
