//go:build !linux

package main

import "os"

// rawMode is not available here: the chat reads whole lines, and sends a
// typing event just before each message.
func rawMode(*os.File) (func(), bool) { return nil, false }
