/**
 * Publishing disk images to OpenStack Glance: {@link dev.imagebuilder.glance.GlancePublisher}.
 * See {@code docs/glance.md}.
 */
package dev.imagebuilder.glance;
