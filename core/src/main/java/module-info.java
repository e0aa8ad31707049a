/**
 * memsnap's engine: an off-heap snapshot store of sparse-vector entries and named state. The API is the package
 * {@code io.memsnap}; the packages under {@code io.memsnap.internal} are not exported.
 *
 * <p>Agrona, which this module reads, reaches {@code jdk.internal.misc.Unsafe}: a JVM that runs this module on the
 * module path needs {@code --add-exports java.base/jdk.internal.misc=org.agrona} (on the class path,
 * {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}); without it, opening a store throws
 * {@link io.memsnap.JvmFlagMissingException}. Agrona is required transitively: {@link io.memsnap.EntryView#buffer()}
 * returns one of its buffers.
 */
module io.memsnap.core
{
    requires transitive org.agrona;
    requires java.management;
    requires jdk.management;
    // sun.misc.Unsafe: MemoryRegion's JDK 17 version reads and writes memory and releases it through it.
    requires jdk.unsupported;

    exports io.memsnap;
}
