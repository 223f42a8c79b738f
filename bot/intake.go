package bot

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/connectchat/participant/internal/contactevent"
)

// Contact event types and the channel the intake acts on, as Amazon
// Connect writes them in the event's detail.
const (
	EventInitiated         = "INITIATED"
	EventConnectedToSystem = "CONNECTED_TO_SYSTEM"
	EventDisconnected      = "DISCONNECTED"
	ChannelChat            = "CHAT"
)

// DetailType is the EventBridge detail-type of Amazon Connect's contact
// events: "Amazon Connect Contact Event".
const DetailType = "Amazon Connect Contact Event"

// DefaultSecretHeader is the header the HTTP intake reads the shared secret
// from unless IntakeOptions.Header says otherwise, and the one
// participanttest.WithContactEvents sends: "X-Contact-Events-Secret".
const DefaultSecretHeader = "X-Contact-Events-Secret"

// MaxEventBytes bounds the body the HTTP intake reads: a body of 1 MiB or
// more is answered 413. EventBridge events are at most 256 KB.
const MaxEventBytes = 1 << 20

// ContactEvent is what the runner reads of an Amazon Connect contact event
// (detail-type "Amazon Connect Contact Event"), as EventBridge delivers it.
type ContactEvent struct {
	ID               string // the EventBridge event id
	Time             string // when the event happened (the envelope's time, as sent)
	EventType        string // INITIATED, CONNECTED_TO_SYSTEM, QUEUED, DISCONNECTED, ...
	Channel          string // VOICE, CHAT, TASK, EMAIL
	ContactID        string
	InitialContactID string
	InstanceARN      string
}

// ErrNotContactEvent: an event of another detail-type (the EventBridge
// rule matched more than contact events). The HTTP intake answers it 200
// and ignores it.
var ErrNotContactEvent = errors.New("bot: not an Amazon Connect contact event")

// ParseContactEvent decodes the body of an EventBridge delivery of a
// contact event. It fails on anything but one JSON object with a string
// detail-type, and, for a contact event, an object detail with string
// eventType, channel and contactId (1 to 256 characters). An event of
// another detail-type returns ErrNotContactEvent. Unknown members, event
// types and channels are accepted: Amazon Connect adds new ones.
func ParseContactEvent(body []byte) (ContactEvent, error) {
	var raw struct {
		contactevent.Event
		Detail json.RawMessage `json:"detail"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil {
		return ContactEvent{}, fmt.Errorf("bot: the body is not an EventBridge event (a JSON object): %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return ContactEvent{}, errors.New("bot: the body holds more than one JSON value")
	}
	if raw.DetailType == "" {
		return ContactEvent{}, errors.New(`bot: the event has no "detail-type": not an EventBridge event`)
	}
	if raw.DetailType != contactevent.DetailType {
		return ContactEvent{}, fmt.Errorf("%w: detail-type %q", ErrNotContactEvent, truncate(raw.DetailType))
	}
	if len(raw.Detail) == 0 || raw.Detail[0] != '{' {
		return ContactEvent{}, errors.New(`bot: the contact event has no "detail" object`)
	}
	var d contactevent.Detail
	if err := json.Unmarshal(raw.Detail, &d); err != nil {
		return ContactEvent{}, fmt.Errorf(`bot: the contact event's "detail" is malformed: %v`, err)
	}
	switch {
	case d.EventType == "":
		return ContactEvent{}, errors.New(`bot: the contact event has no "detail.eventType"`)
	case d.ContactID == "" || len([]rune(d.ContactID)) > 256:
		return ContactEvent{}, errors.New(`bot: the contact event's "detail.contactId" must be 1 to 256 characters`)
	}
	return ContactEvent{
		ID: raw.ID, Time: raw.Time, EventType: d.EventType, Channel: d.Channel,
		ContactID: d.ContactID, InitialContactID: d.InitialContactID, InstanceARN: d.InstanceARN,
	}, nil
}

// truncate shortens a peer's string for an error message.
func truncate(s string) string {
	if r := []rune(s); len(r) > 64 {
		return string(r[:64]) + "..."
	}
	return s
}

// IntakeOptions configures [Runner.ContactEvents].
type IntakeOptions struct {
	// Header is the request header that carries the secret:
	// DefaultSecretHeader when empty. With EventBridge, it is the API key
	// name of the API destination's connection.
	Header string
	// Secret is the value the header must have (the connection's API key
	// value). It is compared in constant time. Required unless
	// Unauthenticated is set.
	Secret string
	// Unauthenticated accepts requests without a secret: only for a
	// listener nobody else can reach.
	Unauthenticated bool
}

// ContactEvents returns an http.Handler that takes Amazon Connect contact
// events exactly as an EventBridge API destination POSTs them (the event
// JSON as the body), authenticated by a shared secret in a header:
//
//   - a missing or wrong secret: 401, nothing started;
//   - a body of MaxEventBytes or more: 413; malformed JSON or a wrong
//     shape: 400 with what is wrong (see ParseContactEvent);
//   - a CHAT contact's INITIATED or CONNECTED_TO_SYSTEM: [Runner.Start],
//     answered 200 once the bot has joined (or when the contact's bot was
//     already joining, running or finished); 429 when the runner is full,
//     503 after Shutdown, 502 when the join failed (EventBridge retries
//     429 and 5xx answers);
//   - a CHAT contact's DISCONNECTED: [Runner.Stop], 200;
//   - any other event type, channel or detail-type: 200, ignored.
//
// It fails when Secret is empty and Unauthenticated is not set.
func (r *Runner) ContactEvents(o IntakeOptions) (http.Handler, error) {
	if o.Secret == "" && !o.Unauthenticated {
		return nil, errors.New("bot: IntakeOptions.Secret is required (or set Unauthenticated)")
	}
	if o.Header == "" {
		o.Header = DefaultSecretHeader
	}
	return &intake{r: r, o: o, want: sha256.Sum256([]byte(o.Secret))}, nil
}

// intake is the handler ContactEvents returns.
type intake struct {
	r    *Runner
	o    IntakeOptions
	want [sha256.Size]byte // the secret's hash, compared in constant time
}

// ServeHTTP checks the method and the secret, reads the event and acts on
// it.
func (in *intake) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		reply(w, http.StatusMethodNotAllowed, "bot: contact events are POSTed")
		return
	}
	if !in.authorized(req) {
		reply(w, http.StatusUnauthorized, "bot: missing or wrong secret in the "+in.o.Header+" header")
		return
	}
	ev, ok := readEvent(w, req)
	if !ok {
		return
	}
	if !strings.EqualFold(ev.Channel, ChannelChat) {
		reply(w, http.StatusOK, "ignored: not a chat")
		return
	}
	switch ev.EventType {
	case EventInitiated, EventConnectedToSystem:
		in.start(w, req, ev.ContactID)
	case EventDisconnected:
		in.r.Stop(ev.ContactID)
		reply(w, http.StatusOK, "stopped")
	default:
		reply(w, http.StatusOK, "ignored: event type "+truncate(ev.EventType))
	}
}

// authorized reports whether the request carries the secret (or none is
// needed).
func (in *intake) authorized(req *http.Request) bool {
	if in.o.Unauthenticated {
		return true
	}
	v := req.Header.Get(in.o.Header)
	got := sha256.Sum256([]byte(v))
	return subtle.ConstantTimeCompare(got[:], in.want[:]) == 1 && v != ""
}

// readEvent reads and parses the body. When it reports false it has
// answered: 413 for a body too big, 400 for a malformed one, 200 for JSON
// that is not a contact event.
func readEvent(w http.ResponseWriter, req *http.Request) (ContactEvent, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, MaxEventBytes-1))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		reply(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("bot: the body must be under %d bytes", MaxEventBytes))
		return ContactEvent{}, false
	case err != nil:
		reply(w, http.StatusBadRequest, "bot: reading the body: "+err.Error())
		return ContactEvent{}, false
	}
	ev, err := ParseContactEvent(body)
	switch {
	case errors.Is(err, ErrNotContactEvent):
		reply(w, http.StatusOK, "ignored: "+err.Error())
		return ContactEvent{}, false
	case err != nil:
		reply(w, http.StatusBadRequest, err.Error())
		return ContactEvent{}, false
	}
	return ev, true
}

// start puts the bot into the contact's chat and answers how that went.
func (in *intake) start(w http.ResponseWriter, req *http.Request, contactID string) {
	switch err := in.r.Start(req.Context(), contactID); {
	case err == nil:
		reply(w, http.StatusOK, "bot in the chat")
	case errors.Is(err, ErrFull):
		w.Header().Set("Retry-After", "5")
		reply(w, http.StatusTooManyRequests, err.Error())
	case errors.Is(err, ErrShutdown):
		reply(w, http.StatusServiceUnavailable, err.Error())
	default:
		reply(w, http.StatusBadGateway, "bot: joining the chat failed")
	}
}

// reply writes a JSON answer {"message": msg}.
func reply(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	b, _ := json.Marshal(struct {
		Message string `json:"message"`
	}{msg})
	_, _ = w.Write(append(b, '\n'))
}
