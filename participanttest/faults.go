package participanttest

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

type faultKind uint8

const (
	faultFail faultKind = iota + 1
	faultThrottle
	faultLatency
	faultDropSocket
	faultCloseSocket
	faultSilenceHeartbeat
	faultSilencePing
	faultFailPing
	faultRefuseWebSocket
	faultDuplicate
	faultReorder
	faultErrorFrame
)

// Fault is one injected misbehaviour of the server. Make one with [Fail],
// [Throttle], [Latency], [DropSocket], [CloseSocket], [SilenceHeartbeats],
// [SilencePings], [FailPings], [RefuseWebSocket], [DuplicateFrames],
// [ReorderFrames] or [ErrorFrame], or from text with [ParseFault]; narrow
// it with its methods; then hand it to [Server.Inject], after which it must
// not be changed.
//
// A fault fires once by default ([Fault.Times] changes that,
// [Fault.Always] makes it permanent). [Fault.Probability] makes each match
// fire only with that probability, drawn from the server's seeded generator
// ([WithSeed]), so a run can be replayed. [Server.CheckFaults] reports the
// faults that have not fired as often as they were meant to.
//
// [Fault.Validate] checks a fault against these ranges, the same whether
// it was built in Go or parsed, and [Server.Inject] refuses a fault
// outside them:
//
//   - an operation is one of [Operations], or "" for every operation;
//   - Fail's code is one of [ErrorCodes], or any other (1 to 128 letters,
//     digits and ".:#_-") given a status with [Fault.WithStatus];
//   - a status (Fail's, RefuseWebSocket's) is 400 to 599;
//   - Throttle's rate is above 0 and at most 1e6 a second, its burst 1 to
//     1e6;
//   - Latency's delay is above 0 and at most 1 hour;
//   - CloseSocket's code is 1000 to 1003, 1007 to 1014 or 3000 to 4999 and
//     its reason at most 123 bytes;
//   - a message (WithMessage, ErrorFrame) is at most 1024 bytes, a contact
//     or participant id 1 to 256;
//   - Times is at least 1, After at least 0, a Probability above 0 and at
//     most 1;
//   - WithStatus applies to Fail and RefuseWebSocket only, WithMessage to
//     Fail and ErrorFrame only.
type Fault struct {
	kind                     faultKind
	op                       string
	code, message            string
	status                   int
	delay                    time.Duration
	rate, burst              float64
	closeCode                int
	reason                   string
	contactID, participantID string
	times                    int
	always                   bool
	prob                     float64
	probSet                  bool
	skip                     int

	// Guarded by Server.mu once injected.
	seen, fired int
	tokens      float64
	last        time.Time
	primed      bool
}

// Fail makes requests of operation op (an Op constant; "" for every
// operation) fail with the error code, such as "ThrottlingException" or
// "InternalServerException", with the status the service uses for it. A
// code the server does not know ([ErrorCodes]) needs a status: see
// [Fault.WithStatus].
func Fail(op, code string) *Fault {
	return &Fault{kind: faultFail, op: op, code: code, times: 1}
}

// Throttle limits operation op ("" for all together) to perSecond requests
// a second with bursts of burst, measured with the server's Clock; requests
// over the limit fail with 429 ThrottlingException. It applies until
// cleared ([Fault.Always]); CheckFaults wants it to have throttled at least
// once.
func Throttle(op string, perSecond float64, burst int) *Fault {
	return &Fault{kind: faultThrottle, op: op, rate: perSecond, burst: float64(burst), always: true}
}

// Latency delays requests of operation op ("" for all) by d before they
// are handled. The delay is a real timer (fake inside testing/synctest);
// it ends early when the request is cancelled or the server closes.
func Latency(op string, d time.Duration) *Fault {
	return &Fault{kind: faultLatency, op: op, delay: d, times: 1}
}

// DropSocket makes the server cut a WebSocket connection at the TCP level,
// with no close frame, instead of writing its next frame (a reply or a chat
// item).
func DropSocket() *Fault { return &Fault{kind: faultDropSocket, times: 1} }

// CloseSocket makes the server close a WebSocket with the close code and
// reason instead of writing its next frame. Valid codes are 1000 to 1003,
// 1007 to 1014 and 3000 to 4999.
func CloseSocket(code int, reason string) *Fault {
	return &Fault{kind: faultCloseSocket, closeCode: code, reason: reason, times: 1}
}

// SilenceHeartbeats makes the server leave an aws/heartbeat unanswered.
func SilenceHeartbeats() *Fault { return &Fault{kind: faultSilenceHeartbeat, times: 1} }

// SilencePings makes the server leave an aws/ping (deep heartbeat)
// unanswered.
func SilencePings() *Fault { return &Fault{kind: faultSilencePing, times: 1} }

// FailPings makes the server answer an aws/ping with statusCode 500 and
// statusContent "Internal Server Error": a deep heartbeat failure, the
// socket itself being fine.
func FailPings() *Fault { return &Fault{kind: faultFailPing, times: 1} }

// RefuseWebSocket makes the server refuse a WebSocket upgrade with the HTTP
// status (403 when 0) and a JSON message, leaving the URL unused.
func RefuseWebSocket(status int) *Fault {
	if status == 0 {
		status = http.StatusForbidden
	}
	return &Fault{kind: faultRefuseWebSocket, status: status, times: 1}
}

// DuplicateFrames makes the server send an aws/chat frame twice.
func DuplicateFrames() *Fault { return &Fault{kind: faultDuplicate, times: 1} }

// ReorderFrames makes the server hold an aws/chat frame back and send it
// after the socket's next frame.
func ReorderFrames() *Fault { return &Fault{kind: faultReorder, times: 1} }

// ErrorFrame makes the server answer a client frame (aws/subscribe,
// aws/heartbeat or aws/ping) with an error frame, such as
// {"message":"Internal server error","connectionId":"...","requestId":"..."},
// instead of its reply. A refused aws/subscribe leaves the socket
// unsubscribed. message defaults to "Forbidden".
func ErrorFrame(message string) *Fault {
	if message == "" {
		message = "Forbidden"
	}
	return &Fault{kind: faultErrorFrame, message: message, times: 1}
}

// Times makes f fire n times.
func (f *Fault) Times(n int) *Fault {
	f.times, f.always = n, false
	return f
}

// Always makes f fire at every match until [Server.ClearFaults].
func (f *Fault) Always() *Fault {
	f.always = true
	return f
}

// Probability makes each match fire with probability p (0 < p <= 1),
// drawn from the server's seeded generator.
func (f *Fault) Probability(p float64) *Fault {
	f.prob, f.probSet = p, true
	return f
}

// After lets the first n matches pass before f fires.
func (f *Fault) After(n int) *Fault {
	f.skip = n
	return f
}

// ForContact limits f to one contact. It has no effect on Fail, Throttle
// and Latency, which match operations.
func (f *Fault) ForContact(contactID string) *Fault {
	f.contactID = contactID
	return f
}

// ForParticipant limits f to one participant's sockets (and, for
// RefuseWebSocket, upgrades). It has no effect on Fail, Throttle and
// Latency.
func (f *Fault) ForParticipant(participantID string) *Fault {
	f.participantID = participantID
	return f
}

// WithStatus sets the HTTP status of a Fail or RefuseWebSocket fault.
func (f *Fault) WithStatus(status int) *Fault {
	f.status = status
	return f
}

// WithMessage sets the message of a Fail fault's error body, or of an
// ErrorFrame.
func (f *Fault) WithMessage(msg string) *Fault {
	f.message = msg
	return f
}

// Inject adds faults to the server. They apply from the next request or
// frame on, in the order given. A fault outside the ranges of [Fault] is
// not injected: Inject returns why, and [Server.CheckFaults] reports it
// too, so that a test that drops Inject's error still fails. nil faults
// are ignored.
func (s *Server) Inject(faults ...*Fault) error {
	var errs []error
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range faults {
		if f == nil {
			continue
		}
		if err := f.Validate(); err != nil {
			errs = append(errs, err)
			s.refused = append(s.refused, err.Error())
			continue
		}
		s.faults = append(s.faults, f)
	}
	return errors.Join(errs...)
}

// ClearFaults removes every fault, and forgets those Inject refused.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults, s.refused = nil, nil
}

// CheckFaults reports the injected faults that have not fired as often as
// they were meant to: fewer times than [Fault.Times], or never for a fault
// that applies always; and the faults Inject refused. It returns nil when
// every fault was consumed. Call
// it at the end of a test:
//
//	if err := srv.CheckFaults(); err != nil {
//		t.Error(err)
//	}
func (s *Server) CheckFaults() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	pending := slices.Clone(s.refused)
	for _, f := range s.faults {
		switch {
		case f.always && f.fired == 0:
			pending = append(pending, f.String()+" never fired")
		case !f.always && f.fired < f.times:
			pending = append(pending, fmt.Sprintf("%s fired %d of %d times", f, f.fired, f.times))
		}
	}
	if len(pending) == 0 {
		return nil
	}
	return errors.New("participanttest: faults not consumed: " + strings.Join(pending, "; "))
}

// live reports whether f may still fire.
func (f *Fault) live() bool { return f.always || f.fired < f.times }

// take decides whether a live fault fires at one match. s.mu must be held.
func (s *Server) take(f *Fault) bool {
	if !f.live() {
		return false
	}
	f.seen++
	if f.seen <= f.skip {
		return false
	}
	if f.prob > 0 && f.prob < 1 && s.faultRand.Float64() >= f.prob {
		return false
	}
	f.fired++
	return true
}

// throttled runs a Throttle fault's token bucket. s.mu must be held.
func (s *Server) throttled(f *Fault) bool {
	if !f.live() {
		return false
	}
	now := s.now()
	if !f.primed {
		f.tokens, f.last, f.primed = f.burst, now, true
	}
	if d := now.Sub(f.last); d > 0 {
		f.tokens = min(f.burst, f.tokens+d.Seconds()*f.rate)
	}
	f.last = now
	if f.tokens >= 1 {
		f.tokens--
		return false
	}
	f.fired++
	return true
}

// faultError is the error response of a Fail fault.
func (f *Fault) faultError() *apiError {
	e := newAPIError(f.code, f.message)
	e.reason = reasonInjected
	if f.status != 0 {
		e.status = f.status
	}
	if e.msg == "" {
		switch f.code {
		case "ThrottlingException":
			e.msg = "Rate exceeded"
		case "InternalServerException":
			e.msg = "Internal server error"
		case "AccessDeniedException":
			e.msg = "Access denied"
		default:
			e.msg = "participanttest: injected " + f.code
		}
	}
	return e
}

// applyHTTPFaults applies the latency, throttling and error faults of a
// request. It reports false when it has answered the request.
func (s *Server) applyHTTPFaults(x *exchange) bool {
	s.mu.Lock()
	delay, fail := s.httpFaults(x.op)
	s.mu.Unlock()
	if delay > 0 && !s.wait(x, delay) {
		return false
	}
	if fail != nil {
		x.fail(fail)
		return false
	}
	return true
}

// httpFaults returns the delay and the error the faults give a request for
// op: the first latency and the first failure that fire. s.mu must be held.
func (s *Server) httpFaults(op string) (delay time.Duration, fail *apiError) {
	for _, f := range s.faults {
		if f.op != "" && f.op != op {
			continue
		}
		switch f.kind {
		case faultLatency:
			if delay == 0 && s.take(f) {
				delay = f.delay
			}
		case faultThrottle:
			if fail == nil && s.throttled(f) {
				fail = newAPIError("ThrottlingException", "Rate exceeded")
			}
		case faultFail:
			if fail == nil && s.take(f) {
				fail = f.faultError()
			}
		}
	}
	return delay, fail
}

// wait holds a request for an injected latency. It reports false when the
// request is over first: the client went away, or the server closed (then
// it has answered).
func (s *Server) wait(x *exchange, delay time.Duration) bool {
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-x.r.Context().Done():
		return false
	case <-s.ctx.Done():
		x.fail(newAPIError("InternalServerException", "participanttest: server closed"))
		return false
	}
}

// socketFault returns the first live fault of one of kinds that matches
// m and fires. s.mu must be held.
func (s *Server) socketFault(m *member, kinds ...faultKind) *Fault {
	for _, f := range s.faults {
		if !slices.Contains(kinds, f.kind) || !f.live() {
			continue
		}
		if f.contactID != "" && f.contactID != m.c.id || f.participantID != "" && f.participantID != m.id {
			continue
		}
		if s.take(f) {
			return f
		}
	}
	return nil
}
