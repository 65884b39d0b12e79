/** {@code FakeBackend}'s implementation: its remote farm, backend, jobs and providers. Not exported. */
package dev.imagebuilder.testkit.internal.backend;
