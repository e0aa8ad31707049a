package io.memsnap.internal.migrate;

import io.memsnap.internal.snapshot.Manifest;

import java.io.IOException;

/**
 * One upgrade of a store from a major format version to the next. A step is crash safe on its own: a crash (of the
 * process or of the machine) at any point of {@link #apply} leaves the store as the version before it (every
 * release that read it still reads it) or as the version after it, never something in between, and a step applied
 * again to a store it left unchanged does the same again.
 *
 * <p>Implementations are stateless and thread safe; a step runs under the store's writer lock.
 */
public interface MigrationStep
{
    /** @return the major version of the stores this step upgrades (any minor version of it). */
    int fromMajor();

    /** @return the major version it leaves them in: {@code fromMajor() + 1}. */
    int toMajor();

    /** @return what the step changes on disk, for reports and progress. */
    String description();

    /** @return whether the step commits a manifest (under the next generation); most do. */
    default boolean commitsManifest()
    {
        return true;
    }

    /**
     * Applies the step.
     *
     * @param store  the store, its writer lock held.
     * @param newest the newest snapshot of the store: written in {@link #fromMajor()}, or in an older major whose
     *               steps ran before this one.
     * @return the newest snapshot once the step is done (the same one if the step committed none).
     */
    Manifest apply(MigrationContext store, Manifest newest) throws IOException;
}
