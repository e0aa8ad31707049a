package io.memsnap.bench;

/**
 * The flags of the benchmark forks ({@code @Fork(jvmArgsAppend = ...)}). The engines' forks get the set Chronicle
 * documents for Java 17 and later (its "Java 17 support" page), plus the switch that turns off Chronicle's usage
 * analytics, and the two packages lmdbjava's ByteBuffer proxy opens ({@code java.nio}, {@code sun.nio.ch}): all of
 * them, so every engine runs in the same JVM configuration; they change nothing for the engines that do not need
 * them. memsnap needs none. {@link #AGRONA} is only for the benchmarks that measure Agrona's own buffers, which
 * reach the JDK's internal {@code Unsafe}.
 */
public final class Jvm
{
    public static final String AGRONA = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    public static final String CM_1 = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";
    public static final String CM_2 = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
    public static final String CM_3 = "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED";
    public static final String CM_4 = "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED";
    public static final String CM_5 = "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED";
    public static final String CM_6 = "--add-opens=java.base/java.lang=ALL-UNNAMED";
    public static final String CM_7 = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
    public static final String CM_8 = "--add-opens=java.base/java.io=ALL-UNNAMED";
    public static final String CM_9 = "--add-opens=java.base/java.util=ALL-UNNAMED";
    public static final String CM_ANALYTICS = "-Dchronicle.analytics.disable=true";
    public static final String LMDB_1 = "--add-opens=java.base/java.nio=ALL-UNNAMED";
    public static final String LMDB_2 = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";
    public static final String HEADLESS = "-Djava.awt.headless=true";

    private Jvm()
    {
    }
}
