/** Entry points: {@link dev.imagebuilder.core.ImageBuilder} and {@link dev.imagebuilder.core.WireFormat}. */
package dev.imagebuilder.core;
