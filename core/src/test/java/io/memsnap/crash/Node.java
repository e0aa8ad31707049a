package io.memsnap.crash;

/**
 * An inode of the model: a {@link FileNode} or a {@link DirectoryNode}, known by the order of its creation. Not
 * thread safe, as the model.
 */
abstract class Node
{
    final int id;

    Node(final int id)
    {
        this.id = id;
    }
}
