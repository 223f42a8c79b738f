//go:build unix

package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

// watchSize keeps the line editor's idea of the terminal's width true when
// the window is resized, so that long lines wrap where the terminal wraps
// them. It returns when ctx ends.
func watchSize(ctx context.Context, out *os.File, t *term.Terminal) {
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	defer signal.Stop(winch)
	for {
		select {
		case <-ctx.Done():
			return
		case <-winch:
			if w, h, err := term.GetSize(int(out.Fd())); err == nil && w > 0 {
				_ = t.SetSize(w, h)
			}
		}
	}
}
