// Command participant is the command-line tool of the participant library: a
// local Amazon Connect Participant Service, one-shot calls of the service's
// operations, and (with the chat package) a demo and an interactive chat.
//
//	participant local                      serve the local Participant Service
//	participant start-chat --endpoint URL  start a chat on a local service
//	participant send-message --text hi     call one operation, JSON on stdout
//
// Run `participant help` for every command, and `participant COMMAND -h` for
// its flags and examples.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// command is one subcommand of the tool.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a command reads and writes: the process's streams and
// environment, replaceable in tests.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

var commands []command

func register(c command) { commands = append(commands, c) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes the command line args and returns the exit code.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(e.stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			err := c.run(ctx, e, args[1:])
			return report(e.stderr, c.name, err)
		}
	}
	fmt.Fprintf(e.stderr, "participant: unknown command %q\n\n", args[0])
	usage(e.stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "participant: the chat side of Amazon Connect, from the command line.")
	fmt.Fprintln(w, "\nUsage: participant COMMAND [flags]\n\nCommands:")
	cs := append([]command(nil), commands...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-20s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'participant COMMAND -h' for a command's flags and examples.")
	fmt.Fprintln(w, "\nTokens come from flags or from PARTICIPANT_TOKEN and CONNECTION_TOKEN; they are never printed.")
	fmt.Fprintln(w, "\nExit codes:")
	for _, x := range exitCodes {
		fmt.Fprintf(w, "  %3d  %s\n", x.code, x.meaning)
	}
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// errHelp is returned after -h printed a command's help.
var errHelp = errors.New("help")

// report prints err, if any, and returns the exit code of its kind.
func report(w io.Writer, name string, err error) int {
	if err == nil || errors.Is(err, errHelp) {
		return exitOK
	}
	code := exitCode(err)
	msg := strings.TrimSpace(err.Error())
	fmt.Fprintf(w, "participant %s: %s\n", name, msg)
	if kind := kindName(code); kind != "" {
		fmt.Fprintf(w, "participant %s: error kind: %s (exit %d)\n", name, kind, code)
	}
	return code
}
