//go:build !unix

package main

import (
	"context"
	"os"

	"golang.org/x/term"
)

// watchSize does nothing here: there is no resize signal. The editor keeps
// the width the terminal had when the chat started.
func watchSize(context.Context, *os.File, *term.Terminal) {}
