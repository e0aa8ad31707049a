/**
 * Internal, not API: upgrades of a store from one major format version to the next. Each
 * {@link io.memsnap.internal.migrate.MigrationStep} takes a store from one major version to the next and is crash
 * safe on its own; {@link io.memsnap.internal.migrate.MigrationPlanner} orders the steps from a store's version to
 * this build's. What runs them, under the writer lock and after the checks that may refuse, is
 * {@link io.memsnap.internal.recovery.FormatUpgrade}.
 */
package io.memsnap.internal.migrate;
