/** Fake servers and test support for users of imagebuilder and for its own tests. */
package dev.imagebuilder.testkit;
