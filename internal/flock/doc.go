// Package flock takes advisory locks on open files, which the system
// releases when the file is closed or the process ends, however it ends:
// kill -9 included. Build and deploy mark their folders with them.
package flock
