package participanttest

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The ranges of a Fault's values (see the Fault doc).
const (
	maxFaultRate    = 1e6
	maxFaultBurst   = 1e6
	maxFaultDelay   = time.Hour
	maxFaultMessage = 1024
	maxFaultID      = 256
	maxCloseReason  = 123 // what fits a WebSocket close frame
	maxFaultCode    = 128
	maxFaultSpec    = 4096
	maxFaultCalls   = 16
)

// kindSpec is one kind of fault: its builder's name and how the grammar
// builds it from its arguments.
type kindSpec struct {
	name     string
	min, max int // arguments
	build    func(a []string) (*Fault, error)
}

// faultKinds is the one table of fault kinds, by kind.
var faultKinds = [...]kindSpec{
	faultFail: {"Fail", 2, 2, func(a []string) (*Fault, error) {
		op, err := parseOp(a[0])
		return Fail(op, knownCode(a[1])), err
	}},
	faultThrottle: {"Throttle", 2, 3, func(a []string) (*Fault, error) {
		op, err := parseOp(a[0])
		rate, err2 := parseFloat("a rate", a[1])
		burst := 1
		var err3 error
		if len(a) == 3 {
			burst, err3 = parseInt("a burst", a[2])
		}
		return Throttle(op, rate, burst), errors.Join(err, err2, err3)
	}},
	faultLatency: {"Latency", 2, 2, func(a []string) (*Fault, error) {
		op, err := parseOp(a[0])
		d, err2 := time.ParseDuration(a[1])
		if err2 != nil {
			err2 = fmt.Errorf("a delay such as 500ms, not %q", a[1])
		}
		return Latency(op, d), errors.Join(err, err2)
	}},
	faultDropSocket:       {"DropSocket", 0, 0, func([]string) (*Fault, error) { return DropSocket(), nil }},
	faultCloseSocket:      {"CloseSocket", 1, 2, buildCloseSocket},
	faultSilenceHeartbeat: {"SilenceHeartbeats", 0, 0, func([]string) (*Fault, error) { return SilenceHeartbeats(), nil }},
	faultSilencePing:      {"SilencePings", 0, 0, func([]string) (*Fault, error) { return SilencePings(), nil }},
	faultFailPing:         {"FailPings", 0, 0, func([]string) (*Fault, error) { return FailPings(), nil }},
	faultRefuseWebSocket: {"RefuseWebSocket", 0, 1, func(a []string) (*Fault, error) {
		if len(a) == 0 {
			return RefuseWebSocket(0), nil
		}
		st, err := parseInt("a status", a[0])
		return RefuseWebSocket(st), err
	}},
	faultDuplicate: {"DuplicateFrames", 0, 0, func([]string) (*Fault, error) { return DuplicateFrames(), nil }},
	faultReorder:   {"ReorderFrames", 0, 0, func([]string) (*Fault, error) { return ReorderFrames(), nil }},
	faultErrorFrame: {"ErrorFrame", 0, 1, func(a []string) (*Fault, error) {
		if len(a) == 0 {
			return ErrorFrame(""), nil
		}
		return ErrorFrame(a[0]), nil
	}},
}

func buildCloseSocket(a []string) (*Fault, error) {
	code, err := parseInt("a close code", a[0])
	reason := ""
	if len(a) == 2 {
		reason = a[1]
	}
	return CloseSocket(code, reason), err
}

func (k faultKind) String() string {
	if int(k) < len(faultKinds) {
		return faultKinds[k].name
	}
	return ""
}

// modifierSpec is one method of Fault the grammar takes after a builder.
type modifierSpec struct {
	name  string
	args  int
	apply func(f *Fault, a []string) error
}

var faultModifiers = []modifierSpec{
	{"Times", 1, func(f *Fault, a []string) error {
		n, err := parseInt("times", a[0])
		f.Times(n)
		return err
	}},
	{"Always", 0, func(f *Fault, _ []string) error { f.Always(); return nil }},
	{"Probability", 1, func(f *Fault, a []string) error {
		p, err := parseFloat("a probability", a[0])
		f.Probability(p)
		return err
	}},
	{"After", 1, func(f *Fault, a []string) error {
		n, err := parseInt("after", a[0])
		f.After(n)
		return err
	}},
	{"ForContact", 1, func(f *Fault, a []string) error { f.ForContact(a[0]); return nil }},
	{"ForParticipant", 1, func(f *Fault, a []string) error { f.ForParticipant(a[0]); return nil }},
	{"WithStatus", 1, func(f *Fault, a []string) error {
		st, err := parseInt("a status", a[0])
		f.WithStatus(st)
		return err
	}},
	{"WithMessage", 1, func(f *Fault, a []string) error { f.WithMessage(a[0]); return nil }},
}

// ParseFault makes a fault from its text, the one grammar of faults that
// the console's control API, `participant local` and tests share. The
// text is the Go calls that would build the fault, as [Fault.String]
// writes them:
//
//	fault    = builder { "." modifier }
//	builder  = "Fail(" OP "," CODE ")" | "Throttle(" OP "," RATE [ "," BURST ] ")"
//	         | "Latency(" OP "," DURATION ")" | "DropSocket()"
//	         | "CloseSocket(" CLOSECODE [ "," REASON ] ")" | "SilenceHeartbeats()"
//	         | "SilencePings()" | "FailPings()" | "RefuseWebSocket(" [ STATUS ] ")"
//	         | "DuplicateFrames()" | "ReorderFrames()" | "ErrorFrame(" [ MESSAGE ] ")"
//	modifier = "Times(" N ")" | "Always()" | "Probability(" P ")" | "After(" N ")"
//	         | "ForContact(" ID ")" | "ForParticipant(" ID ")"
//	         | "WithStatus(" STATUS ")" | "WithMessage(" MESSAGE ")"
//
// Names ignore case, and spaces around arguments and dots are ignored. An
// argument is a bare word (without commas, parentheses or quotes) or a Go
// double-quoted string. OP is an operation of [Operations] in any case, or
// * (or all) for every operation. CODE is one of [ErrorCodes] in any case,
// or another code with WithStatus. RATE and P are decimal numbers,
// DURATION as time.ParseDuration reads it (500ms, 2s). The values must lie
// in the ranges [Fault] lists. For example:
//
//	Fail(SendMessage, ThrottlingException).Probability(0.1).Always()
//	Latency(*, 200ms).Times(3)
//	CloseSocket(4000, "try again").ForContact(4d5e...)
func ParseFault(spec string) (*Fault, error) {
	f, err := parseFault(spec)
	if err == nil {
		err = f.Validate()
	}
	if err != nil {
		return nil, fmt.Errorf("participanttest: fault %q: %w", truncate(spec, 200), err)
	}
	return f, nil
}

func parseFault(spec string) (*Fault, error) {
	if len(spec) > maxFaultSpec {
		return nil, fmt.Errorf("longer than %d bytes", maxFaultSpec)
	}
	calls, err := splitCalls(spec)
	if err != nil {
		return nil, err
	}
	b := calls[0]
	i := slices.IndexFunc(faultKinds[:], func(k kindSpec) bool { return k.name != "" && strings.EqualFold(k.name, b.name) })
	if i < 0 {
		return nil, fmt.Errorf("unknown fault %q; faults: %s", b.name, strings.Join(kindNames(), ", "))
	}
	k := faultKinds[i]
	if err := argCount(k.name, b.args, k.min, k.max); err != nil {
		return nil, err
	}
	f, err := k.build(b.args)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", k.name, err)
	}
	for _, m := range calls[1:] {
		j := slices.IndexFunc(faultModifiers, func(ms modifierSpec) bool { return strings.EqualFold(ms.name, m.name) })
		if j < 0 {
			return nil, fmt.Errorf("unknown method %q; methods: %s", m.name, strings.Join(modifierNames(), ", "))
		}
		ms := faultModifiers[j]
		if err := argCount(ms.name, m.args, ms.args, ms.args); err != nil {
			return nil, err
		}
		if err := ms.apply(f, m.args); err != nil {
			return nil, fmt.Errorf("%s: %w", ms.name, err)
		}
	}
	return f, nil
}

func kindNames() []string {
	var out []string
	for _, k := range faultKinds {
		if k.name != "" {
			out = append(out, k.name)
		}
	}
	return out
}

func modifierNames() []string {
	out := make([]string, len(faultModifiers))
	for i, m := range faultModifiers {
		out[i] = m.name
	}
	return out
}

func argCount(name string, args []string, lo, hi int) error {
	if len(args) >= lo && len(args) <= hi {
		return nil
	}
	if lo == hi {
		return fmt.Errorf("%s takes %d arguments, not %d", name, lo, len(args))
	}
	return fmt.Errorf("%s takes %d to %d arguments, not %d", name, lo, hi, len(args))
}

// faultCall is one call of a fault's text: a name and its arguments.
type faultCall struct {
	name string
	args []string
}

// splitCalls reads Name(args).Name(args)... into calls.
func splitCalls(spec string) ([]faultCall, error) {
	rest := strings.TrimSpace(spec)
	if rest == "" {
		return nil, errors.New("empty; want a builder such as Fail(SendMessage, ThrottlingException)")
	}
	var calls []faultCall
	for {
		c, tail, err := readCall(rest)
		if err != nil {
			return nil, err
		}
		calls = append(calls, c)
		rest = strings.TrimSpace(tail)
		if rest == "" {
			return calls, nil
		}
		if len(calls) == maxFaultCalls {
			return nil, fmt.Errorf("more than %d calls", maxFaultCalls)
		}
		if rest[0] != '.' {
			return nil, fmt.Errorf("want .Method(...) after %s(...), not %q", c.name, truncate(rest, 20))
		}
		rest = strings.TrimSpace(rest[1:])
	}
}

// readCall reads one Name(args) from the start of s and returns what
// follows it.
func readCall(s string) (faultCall, string, error) {
	open := strings.IndexByte(s, '(')
	if open < 0 {
		return faultCall{}, "", fmt.Errorf("want Name(...), not %q", truncate(s, 20))
	}
	c := faultCall{name: strings.TrimSpace(s[:open])}
	if c.name == "" {
		return faultCall{}, "", errors.New("a call without a name; want Name(...), such as Fail(SendMessage, ThrottlingException)")
	}
	if !isIdent(c.name) {
		return faultCall{}, "", fmt.Errorf("want a name before '(', not %q", truncate(c.name, 20))
	}
	s = strings.TrimSpace(s[open+1:])
	if strings.HasPrefix(s, ")") {
		return c, s[1:], nil
	}
	for {
		a, tail, err := readArg(s)
		if err != nil {
			return faultCall{}, "", fmt.Errorf("%s: %w", c.name, err)
		}
		c.args = append(c.args, a)
		s = strings.TrimSpace(tail)
		switch {
		case strings.HasPrefix(s, ","):
			s = strings.TrimSpace(s[1:])
		case strings.HasPrefix(s, ")"):
			return c, s[1:], nil
		default:
			return faultCall{}, "", fmt.Errorf("%s: want ',' or ')' after an argument", c.name)
		}
	}
}

// readArg reads a quoted string or a bare word.
func readArg(s string) (string, string, error) {
	if strings.HasPrefix(s, `"`) {
		q, err := strconv.QuotedPrefix(s)
		if err != nil {
			return "", "", errors.New("an unterminated or malformed quoted string")
		}
		v, _ := strconv.Unquote(q)
		return v, s[len(q):], nil
	}
	end := strings.IndexAny(s, ",()\"")
	if end < 0 {
		return "", "", errors.New("missing ')'")
	}
	if s[end] == '(' || s[end] == '"' {
		return "", "", fmt.Errorf("unexpected %q in an argument", s[end])
	}
	v := strings.TrimSpace(s[:end])
	if v == "" {
		return "", "", errors.New("an empty argument")
	}
	return v, s[end:], nil
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// parseOp reads an operation name: "" for * or all.
func parseOp(s string) (string, error) {
	if s == "*" || strings.EqualFold(s, "all") {
		return "", nil
	}
	ops := Operations()
	if i := slices.IndexFunc(ops, func(o string) bool { return strings.EqualFold(o, s) }); i >= 0 {
		return ops[i], nil
	}
	return s, nil // Validate names it
}

// knownCode spells a code the server knows as it does.
func knownCode(s string) string {
	if i := slices.IndexFunc(ErrorCodes(), func(c string) bool { return strings.EqualFold(c, s) }); i >= 0 {
		return ErrorCodes()[i]
	}
	return s
}

func parseInt(what, s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%s must be a whole number, not %q", what, truncate(s, 20))
	}
	return n, nil
}

func parseFloat(what, s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s must be a number, not %q", what, truncate(s, 20))
	}
	return v, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// Validate reports whether f lies within the ranges [Fault] lists, and
// what is wrong with it when it does not.
func (f *Fault) Validate() error {
	if f == nil || f.kind == 0 || int(f.kind) >= len(faultKinds) {
		return errors.New("not a fault made by a participanttest builder")
	}
	errs := []error{f.kindErr(), f.opErr()}
	errs = append(errs, f.modifierErrs()...)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%s: %w", f.kind, err)
	}
	return nil
}

// opErr checks the operation of a fault that names one.
func (f *Fault) opErr() error {
	if f.op == "" || slices.Contains(Operations(), f.op) {
		return nil
	}
	return fmt.Errorf("unknown operation %q; operations: * (all), %s", truncate(f.op, 64), strings.Join(Operations(), ", "))
}

// kindErr checks the builder's arguments.
func (f *Fault) kindErr() error {
	switch f.kind {
	case faultFail:
		return f.codeErr()
	case faultThrottle:
		if !(f.rate > 0 && f.rate <= maxFaultRate) || !(f.burst >= 1 && f.burst <= maxFaultBurst) {
			return fmt.Errorf("a rate above 0 and at most %g a second, and a burst of 1 to %g", float64(maxFaultRate), float64(maxFaultBurst))
		}
	case faultLatency:
		if f.delay <= 0 || f.delay > maxFaultDelay {
			return fmt.Errorf("a delay above 0 and at most %s, such as 500ms", maxFaultDelay)
		}
	case faultCloseSocket:
		if !validCloseCode(f.closeCode) {
			return errors.New("a close code must be 1000-1003, 1007-1014 or 3000-4999")
		}
		if len(f.reason) > maxCloseReason {
			return fmt.Errorf("a close reason is at most %d bytes", maxCloseReason)
		}
	}
	return nil
}

// codeErr checks a Fail fault's code.
func (f *Fault) codeErr() error {
	switch {
	case f.code == "" || len(f.code) > maxFaultCode || strings.ContainsFunc(f.code, notCodeRune):
		return fmt.Errorf("an error code is 1 to %d letters, digits and .:#_-", maxFaultCode)
	case f.status == 0 && !slices.Contains(ErrorCodes(), f.code):
		return fmt.Errorf("unknown error code %q (give it a status with WithStatus); codes: %s", f.code, strings.Join(ErrorCodes(), ", "))
	}
	return nil
}

func notCodeRune(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".:#_-", r))
}

// modifierErrs checks what the methods of Fault set.
func (f *Fault) modifierErrs() []error {
	var errs []error
	add := func(bad bool, msg string) {
		if bad {
			errs = append(errs, errors.New(msg))
		}
	}
	statusKind := f.kind == faultFail || f.kind == faultRefuseWebSocket
	add(f.status != 0 && !statusKind, "WithStatus applies to Fail and RefuseWebSocket only")
	add(f.status != 0 && (f.status < 400 || f.status > 599), "a status must be 400-599")
	add(f.message != "" && f.kind != faultFail && f.kind != faultErrorFrame, "WithMessage applies to Fail and ErrorFrame only")
	add(len(f.message) > maxFaultMessage, fmt.Sprintf("a message is at most %d bytes", maxFaultMessage))
	add(!f.always && f.times < 1, "Times must be at least 1")
	add(f.skip < 0, "After must not be negative")
	add(f.probSet && !(f.prob > 0 && f.prob <= 1), "a probability must be above 0 and at most 1")
	add(len(f.contactID) > maxFaultID || len(f.participantID) > maxFaultID, fmt.Sprintf("an id is at most %d bytes", maxFaultID))
	return errs
}

// String writes f in the grammar of [ParseFault]: the calls that build
// it, its targets first and how often it fires last. ParseFault(f.String())
// makes the same fault.
func (f *Fault) String() string {
	if f == nil || f.kind == 0 || int(f.kind) >= len(faultKinds) {
		return "<invalid fault>"
	}
	var b strings.Builder
	b.WriteString(f.kind.String())
	b.WriteString("(" + strings.Join(f.args(), ", ") + ")")
	f.writeFail(&b)
	f.writeTargets(&b)
	f.writeWhen(&b)
	return b.String()
}

// writeFail writes the calls only a Fail has: its status and message.
func (f *Fault) writeFail(b *strings.Builder) {
	if f.kind != faultFail {
		return
	}
	if f.status != 0 {
		fmt.Fprintf(b, ".WithStatus(%d)", f.status)
	}
	if f.message != "" {
		fmt.Fprintf(b, ".WithMessage(%s)", strconv.Quote(f.message))
	}
}

// writeTargets writes the contact and participant f is for.
func (f *Fault) writeTargets(b *strings.Builder) {
	if f.contactID != "" {
		fmt.Fprintf(b, ".ForContact(%s)", word(f.contactID))
	}
	if f.participantID != "" {
		fmt.Fprintf(b, ".ForParticipant(%s)", word(f.participantID))
	}
}

// writeWhen writes how often f fires: its skip, probability and count
// (a throttle's count is always written, Always never).
func (f *Fault) writeWhen(b *strings.Builder) {
	if f.skip != 0 {
		fmt.Fprintf(b, ".After(%d)", f.skip)
	}
	if f.probSet {
		fmt.Fprintf(b, ".Probability(%s)", strconv.FormatFloat(f.prob, 'g', -1, 64))
	}
	switch {
	case f.always && f.kind != faultThrottle:
		b.WriteString(".Always()")
	case !f.always && (f.times != 1 || f.kind == faultThrottle):
		fmt.Fprintf(b, ".Times(%d)", f.times)
	}
}

// args are the builder's arguments of f, written for the grammar.
func (f *Fault) args() []string {
	op := "*"
	if f.op != "" {
		op = word(f.op)
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	switch f.kind {
	case faultFail:
		return []string{op, word(f.code)}
	case faultThrottle:
		return []string{op, num(f.rate), num(f.burst)}
	case faultLatency:
		return []string{op, f.delay.String()}
	case faultCloseSocket:
		return []string{strconv.Itoa(f.closeCode), strconv.Quote(f.reason)}
	case faultRefuseWebSocket:
		return []string{strconv.Itoa(f.status)}
	case faultErrorFrame:
		return []string{strconv.Quote(f.message)}
	}
	return nil
}

// word writes s as a bare word when the grammar reads it back as such,
// else quoted.
func word(s string) string {
	if s != "" && s == strings.TrimSpace(s) && !strings.ContainsAny(s, ",()\"\\") && strconv.CanBackquote(s) {
		return s
	}
	return strconv.Quote(s)
}
