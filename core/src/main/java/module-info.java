/**
 * memsnap's engine: an off-heap snapshot store of sparse-vector entries and named state. The API is the package
 * {@code io.memsnap}; the packages under {@code io.memsnap.internal} are not exported.
 *
 * <p>Agrona's buffers reach {@code jdk.internal.misc.Unsafe}, and the one this module hands out, the deprecated
 * {@link io.memsnap.EntryView#buffer()}, needs {@code --add-exports java.base/jdk.internal.misc=org.agrona} on the
 * module path (on the class path, {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}); without it that call
 * throws {@link io.memsnap.JvmFlagMissingException}. Agrona is required transitively, for that buffer's type.
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
