package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/connectchat/participant/internal/redact"
	"github.com/connectchat/participant/internal/wire"
	"github.com/connectchat/participant/participanttest"
)

func init() {
	register(command{"local", "Serve the local Participant Service (and Connect's chat operations)", runLocal})
	register(command{"start-chat", "StartChatContact on a local service: prints a ParticipantToken", runStartChat})
}

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// runLocal is `participant local`: it parses and checks the flags, builds
// the local service's options from them and serves it until ctx is done.
func runLocal(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "local",
		"Serves an in-process emulator of the Amazon Connect Participant Service, its WebSocket,\n"+
			"attachment storage, and the Connect operations StartChatContact, CreateParticipant and\n"+
			"StopContact, until interrupted. Any language's AWS SDK or CLI can use it with its\n"+
			"endpoint option; SigV4 signatures are accepted and ignored.\n\n"+
			"An agent joins every chat. The echo agent answers each message with a copy of it. The bot\n"+
			"follows --bot-script; without one it greets, answers 'help' with what it understands,\n"+
			"'hello' with a hello, 'list', 'panel', 'quick', 'time', 'carousel' and 'view' with an\n"+
			"interactive message of each template, 'bye' with a goodbye (and ends the chat), and anything\n"+
			"else with \"Sorry, I did not get that\". --greeting replaces the greeting of either, script\n"+
			"or not. A rule's interactive key holds a template (JSON) to send.\n\n"+
			"--bot-script implies --agent bot. A bot script is a JSON object with the keys\n"+
			"  "+botKeys()+".\n"+
			"Unknown keys are refused; delay is in nanoseconds and overrides --agent-delay.\n\n"+
			"The service keeps no request history; request bodies over 256 KiB get 413; a WebSocket\n"+
			"client that leaves 256 KiB of frames unread is closed with 1008.",
		"  participant local\n"+
			"  participant local --addr 127.0.0.1:9000 --agent bot --bot-script bot.json\n"+
			"  participant local --agent bot --greeting 'Welcome to the test desk'\n"+
			"  participant local --fail SendMessage=ThrottlingException@0.1 --latency GetTranscript=200ms --seed 7")
	f := defineLocalFlags(fs)
	if err := parse(e, fs, args); err != nil {
		return err
	}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	if err := f.check(); err != nil {
		return err
	}
	opts, err := f.options(e)
	if err != nil {
		return err
	}
	faults, err := parseFaults(f.fails, f.latencies, f.throttles, f.specs)
	if err != nil {
		return err
	}
	if f.contactEvents != "" { // contact events (contactevents.go)
		o, err := contactEventsOption(f.contactEvents)
		if err != nil {
			return err
		}
		opts = append(opts, o)
	}
	return serveLocal(ctx, e, f.addr, f.agent, opts, faults)
}

// localFlags holds the flags of `participant local`.
type localFlags struct {
	addr, agent, greeting, botScript, contactEvents        string
	allowRemote, verbose                                   bool
	delay, connTTL, wsTTL, chatTTL, socketTTL, readTimeout time.Duration
	seed                                                   uint64
	maxChats                                               int
	fails, latencies, throttles, specs                     multiFlag
	set                                                    map[string]bool // the flags given on the command line
}

// defineLocalFlags defines the flags of `participant local` on fs; they
// are filled in when fs parses the arguments.
func defineLocalFlags(fs *flag.FlagSet) *localFlags {
	f := &localFlags{set: map[string]bool{}}
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8480", "address to listen on")
	fs.BoolVar(&f.allowRemote, "allow-remote", false, "allow a non-loopback --addr (the emulator has no real security)")
	fs.StringVar(&f.agent, "agent", "echo", "who joins every chat: echo (an echo agent), bot (a scripted bot), or none")
	fs.StringVar(&f.greeting, "greeting", "", "what the agent or bot says when it joins, replacing the bot's or its script's greeting")
	fs.StringVar(&f.botScript, "bot-script", "", "JSON file with the bot's script, such as {\"greeting\":\"Hi\", \"rules\":[{\"contains\":\"bye\", \"reply\":\"Bye\", \"end\":true}], \"fallback\":\"Pardon?\"}")
	fs.DurationVar(&f.delay, "agent-delay", 500*time.Millisecond, "how long the agent or bot types before answering")
	fs.Uint64Var(&f.seed, "seed", 0, "seed of ids, tokens and probabilistic faults (0: random)")
	fs.DurationVar(&f.connTTL, "connection-token-ttl", 0, "ConnectionToken lifetime (default 24h)")
	fs.DurationVar(&f.wsTTL, "websocket-url-ttl", 0, "how long a WebSocket URL can be used (default 100s)")
	fs.DurationVar(&f.chatTTL, "chat-duration", 0, "chat duration when StartChatContact sets none (default 25h)")
	fs.DurationVar(&f.socketTTL, "socket-lifetime", 0, "the longest a WebSocket lives before the server closes it (default 2h)")
	fs.DurationVar(&f.readTimeout, "read-timeout", time.Minute, "how long a client may take to send a request, body included (its headers: at most 10s)")
	fs.IntVar(&f.maxChats, "max-chats", participanttest.DefaultMaxChats, "the most chats active at once; StartChatContact then fails with LimitExceededException (429), as at Amazon Connect's quota (0: no cap)")
	fs.BoolVar(&f.verbose, "verbose", false, "log every request to stderr")
	fs.StringVar(&f.contactEvents, "contact-events", "", "URL[,SECRET]: POST Amazon Connect contact events (INITIATED, DISCONNECTED) to URL as EventBridge does, SECRET in the "+participanttest.ContactEventSecretHeader+" header")
	fs.Var(&f.fails, "fail", "OP=CODE[@PROBABILITY]: make OP (or * for all) fail with an error code, always or with a probability in (0, 1] (repeatable)")
	fs.Var(&f.latencies, "latency", "OP=DURATION: delay every OP request (repeatable)")
	fs.Var(&f.throttles, "throttle", "OP=RATE[/BURST]: throttle OP to RATE requests per second (repeatable)")
	fs.Var(&f.specs, "fault", "a fault in the grammar of participanttest.ParseFault, such as 'DropSocket().Probability(0.01).Always()' (repeatable)")
	return f
}

// check refuses flags that do not go together or out of range (usage
// errors), and makes --bot-script imply --agent bot when --agent is not
// given. f.set must be filled.
func (f *localFlags) check() error {
	host, _, err := net.SplitHostPort(f.addr)
	if err != nil {
		return usagef("--addr: %v", err)
	}
	if !f.allowRemote && !wire.IsLoopback(host) {
		return usagef("--addr %s is not a loopback address; add --allow-remote to serve it anyway", f.addr)
	}
	if f.readTimeout <= 0 {
		return usagef("--read-timeout must be positive")
	}
	if f.maxChats < 0 {
		return usagef("--max-chats must be 0 (no cap) or more")
	}
	if f.botScript != "" {
		if !f.set["agent"] {
			f.agent = "bot"
		} else if f.agent != "bot" {
			return usagef("--bot-script needs --agent bot, not --agent %s", f.agent)
		}
	}
	return nil
}

// options is the local service's options from the checked flags: the
// lifetimes, timeouts and cap, the seed, the request log and the agent
// (contact events and faults aside).
func (f *localFlags) options(e *env) ([]participanttest.Option, error) {
	opts := []participanttest.Option{
		participanttest.WithLifetimes(participanttest.Lifetimes{
			ConnectionToken: f.connTTL, WebSocketURL: f.wsTTL, Chat: f.chatTTL, Socket: f.socketTTL,
		}),
		// Nothing here reads the history: keeping it would only let
		// clients fill the memory.
		participanttest.WithRequestHistory(0),
		participanttest.WithTimeouts(participanttest.Timeouts{ReadHeader: min(f.readTimeout, 10*time.Second), Read: f.readTimeout}),
		participanttest.WithMaxChats(f.maxChats),
	}
	if f.seed != 0 {
		opts = append(opts, participanttest.WithSeed(f.seed))
	}
	if f.verbose {
		opts = append(opts, participanttest.WithLogger(slog.New(slog.NewTextHandler(e.stderr, nil))))
	}
	agent, err := f.agentOptions()
	if err != nil {
		return nil, err
	}
	return append(opts, agent...), nil
}

// agentOptions is the option of the agent that joins every chat: the echo
// agent, the bot (its script's, or the default one) or none (no option).
func (f *localFlags) agentOptions() ([]participanttest.Option, error) {
	switch f.agent {
	case "echo":
		a := participanttest.EchoAgent{Greeting: f.greeting, Delay: f.delay}
		return []participanttest.Option{participanttest.WithAgent(func() participanttest.Agent { return a })}, nil
	case "bot":
		b := participanttest.DefaultBot()
		b.Delay = f.delay
		if f.botScript != "" {
			var err error
			if b, err = loadBot(f.botScript, f.delay); err != nil {
				return nil, err
			}
		}
		if f.set["greeting"] {
			b.Greeting = f.greeting
		}
		return []participanttest.Option{participanttest.WithAgent(func() participanttest.Agent { return b })}, nil
	case "none":
		if f.set["greeting"] {
			return nil, usagef("--greeting needs --agent echo or bot")
		}
		return nil, nil
	default:
		return nil, usagef("--agent must be echo, bot or none")
	}
}

// serveLocal serves the local service with opts and faults on addr, prints
// how to use it (agent names who joins the chats) and serves until ctx is
// done.
func serveLocal(ctx context.Context, e *env, addr, agent string, opts []participanttest.Option, faults []*participanttest.Fault) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := participanttest.NewUnstartedServer(opts...)
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	if err := srv.Inject(faults...); err != nil {
		return err // ParseFault has checked them
	}

	u := srv.URL
	fmt.Fprintf(e.stdout, "Local Amazon Connect Participant Service at %s (seed %d, agent %s)\n\n", u, srv.Seed(), agent)
	fmt.Fprintf(e.stdout, "Agent console (chats, both sides, faults): open %s/ in a browser\n\n", u)
	fmt.Fprintf(e.stdout, "Start a chat and join it from this tool:\n"+
		"  participant start-chat --endpoint %[1]s --reveal-token     # prints a ParticipantToken\n"+
		"  PARTICIPANT_TOKEN=... participant create-connection --endpoint %[1]s --reveal-token\n"+
		"  CONNECTION_TOKEN=... participant send-message --endpoint %[1]s --text hello\n\n", u)
	fmt.Fprintf(e.stdout, "With the aws CLI (credentials are required by the CLI but ignored here):\n"+
		"  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1  # v2 reads the first, v1 the second\n"+
		"  aws connect start-chat-contact --endpoint-url %[1]s --instance-id local --contact-flow-id local --participant-details DisplayName=Ann\n"+
		"  aws connectparticipant create-participant-connection --endpoint-url %[1]s --participant-token TOKEN --type WEBSOCKET CONNECTION_CREDENTIALS\n\n", u)
	fmt.Fprintf(e.stdout, "From Go:\n"+
		"  c := participant.New(participant.Options{BaseEndpoint: %q})\n\n"+
		"Press Ctrl-C to stop.\n", u)
	<-ctx.Done()
	fmt.Fprintln(e.stdout, "Stopping.")
	return nil
}

// loadBot reads a bot script. Every mistake in it, a missing file included,
// is a usage error naming the valid keys.
func loadBot(path string, delay time.Duration) (participanttest.Bot, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return participanttest.Bot{}, usagef("--bot-script: %v", err)
	}
	b := participanttest.Bot{Delay: delay}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err = dec.Decode(&b)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	if err == nil {
		err = b.Validate()
	}
	if err != nil {
		return participanttest.Bot{}, usagef("--bot-script %s: %v; a script is a JSON object with the keys %s", path, err, botKeys())
	}
	return b, nil
}

// botKeys lists the keys of a bot script, from the JSON names of Bot and
// Rule.
func botKeys() string {
	keys := func(t reflect.Type) []string {
		var out []string
		for f := range t.Fields() {
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
				out = append(out, name)
			}
		}
		return out
	}
	bot := keys(reflect.TypeFor[participanttest.Bot]())
	for i, k := range bot {
		if k == "rules" {
			bot[i] = "rules (a list of objects with the keys " + strings.Join(keys(reflect.TypeFor[participanttest.Rule]()), ", ") + ")"
		}
	}
	return strings.Join(bot, ", ")
}

// parseFaults turns the fault flags of `participant local` into faults.
// --fail, --latency and --throttle are shorthands, written out in the
// grammar of participanttest.ParseFault (which --fault takes as it is), so
// that one grammar and one set of ranges apply, names ignoring case.
func parseFaults(fails, latencies, throttles, specs []string) ([]*participanttest.Fault, error) {
	flags := []struct {
		name   string
		values []string
		spec   func(string) (string, bool) // the value in the grammar; false: malformed
		want   string
	}{
		{"--fail", fails, failSpec, "OP=CODE[@PROBABILITY]"},
		{"--latency", latencies, latencySpec, "OP=DURATION, such as SendMessage=200ms"},
		{"--throttle", throttles, throttleSpec, "OP=RATE[/BURST], such as SendEvent=5/10"},
		{"--fault", specs, func(v string) (string, bool) { return v, true }, ""},
	}
	var out []*participanttest.Fault
	for _, fl := range flags {
		for _, v := range fl.values {
			spec, ok := fl.spec(v)
			if !ok {
				return nil, usagef("%s %q: want %s", fl.name, v, fl.want)
			}
			f, err := participanttest.ParseFault(spec)
			if err != nil {
				return nil, usagef("%s %q: %s", fl.name, v, strings.TrimPrefix(err.Error(), "participanttest: "))
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// failSpec writes --fail OP=CODE[@PROBABILITY] in the fault grammar.
func failSpec(v string) (string, bool) {
	op, rest, ok := strings.Cut(v, "=")
	code, prob, hasProb := strings.Cut(rest, "@")
	if !ok || code == "" || hasProb && prob == "" {
		return "", false
	}
	spec := "Fail(" + quote(op) + ", " + quote(code) + ").Always()"
	if hasProb {
		spec += ".Probability(" + quote(prob) + ")"
	}
	return spec, true
}

// latencySpec writes --latency OP=DURATION in the fault grammar.
func latencySpec(v string) (string, bool) {
	op, d, ok := strings.Cut(v, "=")
	return "Latency(" + quote(op) + ", " + quote(d) + ").Always()", ok && d != ""
}

// throttleSpec writes --throttle OP=RATE[/BURST] in the fault grammar.
func throttleSpec(v string) (string, bool) {
	op, rate, ok := strings.Cut(v, "=")
	rate, burst, hasBurst := strings.Cut(rate, "/")
	args := quote(op) + ", " + quote(rate)
	if hasBurst {
		args += ", " + quote(burst)
	}
	return "Throttle(" + args + ")", ok && rate != "" && (!hasBurst || burst != "")
}

// quote writes a flag's part as one argument of the fault grammar.
func quote(s string) string { return strconv.Quote(strings.TrimSpace(s)) }

func runStartChat(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "start-chat",
		"Calls StartChatContact (PUT /contact/chat) on a local service started with 'participant local'\n"+
			"and prints the contact and participant ids. The ParticipantToken is shown only with --reveal-token.",
		"  participant start-chat --endpoint http://127.0.0.1:8480 --display-name Ann --reveal-token")
	endpoint := fs.String("endpoint", "http://127.0.0.1:8480", "base URL of the local service")
	name := fs.String("display-name", "Customer", "the customer's display name")
	initial := fs.String("initial-message", "", "the customer's first message")
	reveal := fs.Bool("reveal-token", false, "print the ParticipantToken")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	out, err := startChatContact(ctx, *endpoint, *name, *initial)
	if err != nil {
		return err
	}
	if !*reveal {
		out.ParticipantToken = redact.Placeholder
	}
	return printJSON(e, out)
}

// startChatOutput is the answer of StartChatContact.
type startChatOutput struct {
	ContactID        string `json:"ContactId"`
	ParticipantID    string `json:"ParticipantId"`
	ParticipantToken string `json:"ParticipantToken"`
}
