/** What is analysed: videos, frame ranges, and the typed error for unreadable videos. */
package dev.juggler.video;
