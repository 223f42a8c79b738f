// Command participant is the command-line tool of the participant library: a
// local Amazon Connect Participant Service, one-shot calls of the service's
// operations, and (with the chat package) a demo and an interactive chat.
//
//	participant local                      serve the local Participant Service
//	participant start-chat --endpoint URL  start a chat on a local service
//	participant send-message --text hi     call one operation, JSON on stdout
//
// Install it with
//
//	go install github.com/connectchat/participant/cmd/participant@latest
//
// (or `go install ./cmd/participant` in a clone). Run `participant help` for
// every command, and `participant help COMMAND` for a command's flags and
// examples.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"

	"github.com/connectchat/participant/internal/version"
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
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(e.stdout)
		return exitOK
	case "help":
		if len(args) == 1 {
			usage(e.stdout)
			return exitOK
		}
		// participant help CMD is participant CMD -h.
		if c := lookup(args[1]); c != nil {
			return report(e.stderr, c.name, c.run(ctx, e, []string{"-h"}))
		}
		return unknownCommand(e, args[1])
	case "-version", "--version", "version":
		fmt.Fprintln(e.stdout, versionLine())
		return exitOK
	}
	if c := lookup(args[0]); c != nil {
		return report(e.stderr, c.name, c.run(ctx, e, args[1:]))
	}
	return unknownCommand(e, args[0])
}

// lookup returns the command called name, or nil.
func lookup(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

// operationCommands maps the service's operation names, as the API and the
// aws CLI spell them, to the command that calls the operation.
var operationCommands = map[string]string{
	"createparticipantconnection": "create-connection",
	"sendmessage":                 "send-message",
	"sendevent":                   "send-event",
	"gettranscript":               "get-transcript",
	"disconnectparticipant":       "disconnect",
	"startattachmentupload":       "upload-attachment",
	"completeattachmentupload":    "upload-attachment",
	"getattachment":               "download-attachment",
	"startchatcontact":            "start-chat",
}

// unknownCommand reports a command name that is not one: a usage error
// (exit 2) that lists the valid names, and suggests the command that calls
// an operation given by its API or aws CLI name.
func unknownCommand(e *env, name string) int {
	key := strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(name))
	hint := ""
	if c, ok := operationCommands[key]; ok && c != name {
		hint = fmt.Sprintf(" (did you mean %s?)", c)
	}
	fmt.Fprintf(e.stderr, "participant: unknown command %q%s\n", name, hint)
	fmt.Fprintf(e.stderr, "Valid commands: %s.\n", strings.Join(commandNames(), ", "))
	fmt.Fprintln(e.stderr, "Run 'participant help' for what each does.")
	return exitUsage
}

// commandNames returns the names of every command, sorted.
func commandNames() []string {
	names := make([]string, 0, len(commands))
	for _, c := range commands {
		names = append(names, c.name)
	}
	sort.Strings(names)
	return names
}

// versionLine describes this build: the library's version, the module
// version and commit the tool was built from, and the Go toolchain.
func versionLine() string {
	build := "unknown build"
	if bi, ok := debug.ReadBuildInfo(); ok {
		build = "module " + strings.Trim(bi.Main.Version, "()") // "(devel)" when built from a clone
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" {
			build += ", commit " + rev[:min(len(rev), 12)]
			if modified == "true" {
				build += " with local changes"
			}
		}
	}
	return fmt.Sprintf("participant %s (%s) %s %s/%s", version.Version, build, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "participant: the chat side of Amazon Connect, from the command line.")
	fmt.Fprintln(w, "\nUsage: participant COMMAND [flags]\n\nCommands:")
	cs := append([]command(nil), commands...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-20s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'participant help COMMAND' (or 'participant COMMAND -h') for a command's flags and examples,")
	fmt.Fprintln(w, "and 'participant --version' for the version.")
	fmt.Fprintln(w, "\nTokens come from flags or from PARTICIPANT_TOKEN and CONNECTION_TOKEN; they are never printed\nunless --reveal-token asks.")
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

// errInterrupted ends a command that the user interrupted (Ctrl-C) after it
// cleaned up and said so: exit 130, nothing more printed.
var errInterrupted = fmt.Errorf("interrupted: %w", context.Canceled)

// report prints err, if any, once, and returns the exit code of its kind.
func report(w io.Writer, name string, err error) int {
	if err == nil || errors.Is(err, errHelp) {
		return exitOK
	}
	if errors.Is(err, errInterrupted) {
		return exitCanceled
	}
	code := exitCode(err)
	msg := strings.TrimSpace(err.Error())
	fmt.Fprintf(w, "participant %s: %s\n", name, msg)
	if code == exitUsage {
		fmt.Fprintf(w, "Run 'participant help %s' for its flags and examples.\n", name)
		return code
	}
	if kind := kindName(code); kind != "" {
		fmt.Fprintf(w, "participant %s: error kind: %s (exit %d)\n", name, kind, code)
	}
	return code
}
