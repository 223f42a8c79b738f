package participanttest

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/connectchat/participant/internal/ops"
)

// Operation names, as [Request.Operation] and the faults of [Fail],
// [Throttle] and [Latency] name them. [Operations] lists them all.
const (
	OpCreateParticipantConnection     = "CreateParticipantConnection"
	OpSendMessage                     = "SendMessage"
	OpSendEvent                       = "SendEvent"
	OpGetTranscript                   = "GetTranscript"
	OpDisconnectParticipant           = "DisconnectParticipant"
	OpStartAttachmentUpload           = "StartAttachmentUpload"
	OpCompleteAttachmentUpload        = "CompleteAttachmentUpload"
	OpGetAttachment                   = "GetAttachment"
	OpDescribeView                    = "DescribeView"
	OpGetAuthenticationURL            = "GetAuthenticationUrl"
	OpCancelParticipantAuthentication = "CancelParticipantAuthentication"

	OpStartChatContact  = "StartChatContact"  // Amazon Connect: PUT /contact/chat
	OpCreateParticipant = "CreateParticipant" // Amazon Connect: POST /contact/create-participant
	OpStopContact       = "StopContact"       // Amazon Connect: POST /contact/stop

	OpUploadAttachment   = "UploadAttachment"   // the PUT to an upload URL
	OpDownloadAttachment = "DownloadAttachment" // the GET of a download URL
	OpWebSocket          = "WebSocket"          // the WebSocket upgrade
	OpAuthorize          = "Authorize"          // the authentication page
)

// routeKind says how the server reads a route's request and answers its
// errors.
type routeKind uint8

const (
	// routeJSON is an operation with a JSON body, read (at most maxAPIBody)
	// before faults apply and the handler runs.
	routeJSON routeKind = iota
	// routeS3 is an attachment URL: the handler reads the body, errors are
	// S3's XML.
	routeS3
	// routeRaw is the WebSocket upgrade or the authentication page: no body.
	routeRaw
)

// route is one entry of the server's route table.
type route struct {
	op      string // the operation's name, an Op constant
	method  string
	pattern string // the http.ServeMux pattern: method and path
	kind    routeKind
	token   tokenKind // the bearer token it takes; 0 for none (Amazon Connect, URLs)
	handle  func(*Server, *exchange)
}

// ServeHTTP makes a route an http.Handler, so that an http.ServeMux can
// hold the route table: the server finds a request's route with
// ServeMux.Handler and runs it itself, with the request's exchange. A
// route is never served through the mux.
func (rt *route) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	http.Error(w, "participanttest: a route is run by its Server", http.StatusInternalServerError)
}

// participantHandlers are the handlers of the Participant Service's
// operations, whose methods, paths and tokens come from internal/ops, the
// client's own table, so that the emulator and the client cannot disagree.
var participantHandlers = map[*ops.Op]func(*Server, *exchange){
	ops.CancelParticipantAuthentication: cancelAuthenticationOp.handle,
	ops.CompleteAttachmentUpload:        completeAttachmentUploadOp.handle,
	ops.CreateParticipantConnection:     createParticipantConnectionOp.handle,
	ops.DescribeView:                    describeViewOp.handle,
	ops.DisconnectParticipant:           disconnectParticipantOp.handle,
	ops.GetAttachment:                   getAttachmentOp.handle,
	ops.GetAuthenticationUrl:            getAuthenticationURLOp.handle,
	ops.GetTranscript:                   getTranscriptOp.handle,
	ops.SendEvent:                       sendEventOp.handle,
	ops.SendMessage:                     sendMessageOp.handle,
	ops.StartAttachmentUpload:           startAttachmentUploadOp.handle,
}

// routes is the server's one route table: the Participant Service's
// operations from internal/ops, then Amazon Connect's and the server's own
// URLs.
var routes = func() []*route {
	var rs []*route
	for _, op := range ops.All {
		kind := kindConnection
		if op.Token == ops.ParticipantToken {
			kind = kindParticipant
		}
		// A trailing label takes the rest of the path, as DescribeView's
		// handler expects.
		path := strings.Replace(op.Path, "}", "...}", 1)
		rs = append(rs, newRoute(op.Name, op.Method, path, routeJSON, participantHandlers[op], kind))
	}
	return append(rs,
		newRoute(OpStartChatContact, http.MethodPut, "/contact/chat", routeJSON, startChatContactOp.handle, 0),
		newRoute(OpCreateParticipant, http.MethodPost, "/contact/create-participant", routeJSON, createParticipantOp.handle, 0),
		newRoute(OpStopContact, http.MethodPost, "/contact/stop", routeJSON, stopContactOp.handle, 0),
		newRoute(OpUploadAttachment, http.MethodPut, filesPrefix+"{secret...}", routeS3, (*Server).uploadFile, 0),
		newRoute(OpDownloadAttachment, http.MethodGet, filesPrefix+"{secret...}", routeS3, (*Server).downloadFile, 0),
		newRoute(OpWebSocket, http.MethodGet, wsPath, routeRaw, (*Server).serveWebSocket, 0),
		newRoute(OpAuthorize, http.MethodGet, authorizePath, routeRaw, (*Server).authorizePage, 0),
	)
}()

func newRoute(op, method, path string, kind routeKind, h func(*Server, *exchange), tok tokenKind) *route {
	if h == nil {
		panic("participanttest: no handler for " + op)
	}
	return &route{op: op, method: method, pattern: method + " " + path, kind: kind, token: tok, handle: h}
}

// routeMux holds the route table.
var routeMux = func() *http.ServeMux {
	mux := http.NewServeMux()
	for _, rt := range routes {
		mux.Handle(rt.pattern, rt)
	}
	return mux
}()

// routeOf finds the route of a request, or nil. A path the mux would
// redirect (not clean, or a route's prefix without its slash) and a GET
// route's HEAD have none.
func routeOf(r *http.Request) *route {
	h, _ := routeMux.Handler(r)
	rt, ok := h.(*route)
	if !ok || rt.method != r.Method {
		return nil
	}
	return rt
}

// Operations returns the name of every operation the server answers, the
// Op constants, sorted: the names [Fail], [Throttle] and [Latency] match and
// [Request.Operation] reports.
func Operations() []string {
	names := make([]string, 0, len(routes))
	for _, rt := range routes {
		if !slices.Contains(names, rt.op) {
			names = append(names, rt.op)
		}
	}
	slices.Sort(names)
	return names
}

// jsonOp is one JSON operation as the one adapter, [jsonOp.handle], runs
// it. The adapter decodes the body, checks the bearer token's length and
// the operation's constraints (answering them as the service does),
// authenticates the route's token, answers a repeat of an idempotent
// request from its stored result, answers 403 for a participant who has
// left or a chat that has ended, runs the operation under the server's
// lock, stores an idempotent result, and writes the answer or the error.
type jsonOp[In any] struct {
	// invalid is the error code of a constraint violation:
	// ValidationException when empty.
	invalid string
	// fromRequest, when set, reads the input from the request instead of
	// the body (DescribeView's path label).
	fromRequest func(x *exchange, in *In) *apiError
	// check adds the violations of the operation's constraints.
	check func(v *checks, in *In)
	// run does the operation. s.mu is held.
	run func(c *call, in *In) (any, *apiError)
}

// call is what an operation runs with.
type call struct {
	s *Server
	x *exchange
	m *member // the authenticated participant; nil without a token
}

// clientTokener is an input with a ClientToken: its operation is
// idempotent.
type clientTokener interface{ clientToken() string }

func (o jsonOp[In]) handle(s *Server, x *exchange) {
	var in In
	if o.fromRequest != nil {
		if e := o.fromRequest(x, &in); e != nil {
			x.fail(e)
			return
		}
	} else if !x.decode(&in) {
		return
	}
	var v checks
	if k := x.rt.token; k != 0 {
		tokenChecks(&v, k.field(), x.bearer())
	}
	if o.check != nil {
		o.check(&v, &in)
	}
	if e := v.errCode(cmp.Or(o.invalid, "ValidationException")); e != nil {
		x.fail(e)
		return
	}
	rq := requestOf(&in) // hashed before the server's lock is taken
	s.answer(x, func() (any, *apiError) { return o.answer(s, x, &in, rq) })
}

// answer authenticates, answers repeats and ended chats, and runs the
// operation. s.mu must be held.
func (o jsonOp[In]) answer(s *Server, x *exchange, in *In, rq request) (any, *apiError) {
	c := &call{s: s, x: x}
	var gone *apiError
	if k := x.rt.token; k != 0 {
		var err *apiError
		if c.m, gone, err = s.authenticate(x.bearer(), k); err != nil {
			return nil, err
		}
	}
	id, prev, ok := s.repeat(x.op, c.m, rq)
	if ok {
		return prev, nil
	}
	if gone != nil {
		return nil, gone
	}
	out, e := o.run(c, in)
	if e != nil {
		return nil, e
	}
	return id.keep(out)
}

// idempotency is where the result of a request with a ClientToken is
// kept, keyed on the operation, the participant (none for Amazon Connect's
// operations), the token and a digest of the request body: a repeat with
// the same token and body gets the first result and changes nothing; the
// same token with a different body is a new request (amazon-connect-chatjs
// sends every read receipt with one token).
type idempotency struct {
	store *idemStore // nil: not idempotent
	key   idemKey
}

// idemKey identifies a request in an idemStore: a SHA-256 of its
// operation, participant, ClientToken and body digest. Being a plain
// array, it costs the garbage collector nothing to keep, unlike a string.
type idemKey [sha256.Size]byte

// keyOf returns the idemKey of parts, each length-prefixed so that no two
// lists of parts share a key.
func keyOf(parts ...string) idemKey {
	var buf [256]byte // the usual key fits: no allocation under the server's lock
	b := buf[:0]
	for _, p := range parts {
		b = binary.LittleEndian.AppendUint64(b, uint64(len(p)))
		b = append(b, p...)
	}
	return sha256.Sum256(b)
}

// request is what identifies a request with a ClientToken: the token and
// a digest of the decoded input. The zero request has no token.
type request struct {
	token  string
	digest [sha256.Size]byte
}

// requestOf returns the request of the decoded input in: the zero request
// when in has no ClientToken.
func requestOf(in any) request {
	ct, ok := in.(clientTokener)
	if !ok || ct.clientToken() == "" {
		return request{}
	}
	body, _ := json.Marshal(in)
	return request{token: ct.clientToken(), digest: sha256.Sum256(body)}
}

// repeat looks up a repeat of the request rq to op; m is the
// authenticated participant, if any. s.mu must be held.
func (s *Server) repeat(op string, m *member, rq request) (idempotency, json.RawMessage, bool) {
	if rq.token == "" {
		return idempotency{}, nil, false
	}
	id := idempotency{store: s.connectIdem, key: keyOf(op, rq.token, string(rq.digest[:]))}
	if m != nil {
		id = idempotency{store: m.c.idem, key: keyOf(op, m.id, rq.token, string(rq.digest[:]))}
	}
	if b, ok := id.store.get(id.key); ok {
		return id, json.RawMessage(b), true
	}
	return id, nil, false
}

// keep encodes a result, stores it for repeats and returns it.
func (id idempotency) keep(v any) (json.RawMessage, *apiError) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, newAPIError("InternalServerException", "participanttest: "+err.Error())
	}
	if id.store != nil {
		id.store.put(id.key, b)
	}
	return b, nil
}

// Bounds of the idempotency stores: a chat keeps the results of its last
// maxChatRepeats requests with a ClientToken (a client retries within
// seconds; a chat that sends more does not make the emulator grow), the
// server those of its last maxConnectRepeats Amazon Connect requests.
const (
	maxChatRepeats    = 1000
	maxConnectRepeats = 10000
)

// idemStore keeps the results of requests by key, up to limit: past it,
// the oldest is forgotten. Results of up to inlineResult bytes (those of
// SendMessage and SendEvent) are kept in the slots themselves, so that a
// chat's store holds no pointer for the collector to follow but for the
// rare longer result (a participant's tokens). Slots come in pages of
// idemPage: a store grows in small steps and never copies, where a slice
// doubling would have every chat of a busy server reallocate at once.
type idemStore struct {
	at    map[idemKey]int32  // the slot of each key kept
	pages [][]idemSlot       // the slots, idemPage a page; a ring once full
	n     int                // the slots in use
	big   map[idemKey][]byte // the results longer than inlineResult
	next  int                // the slot the next key takes once full
	limit int
}

// inlineResult is the longest result an idemSlot holds itself.
const inlineResult = 112

// idemPage is the number of slots of a page: about 4 KiB.
const idemPage = 28

// idemSlot is a key and its result: n bytes of inline, or, when n is
// bigResult, the result in idemStore.big.
type idemSlot struct {
	key    idemKey
	n      uint16
	inline [inlineResult]byte
}

const bigResult = ^uint16(0)

func newIdemStore(limit int) *idemStore {
	return &idemStore{at: map[idemKey]int32{}, limit: limit}
}

// slot returns slot i.
func (st *idemStore) slot(i int32) *idemSlot {
	return &st.pages[i/idemPage][i%idemPage]
}

// get returns a copy of the result kept for key.
func (st *idemStore) get(key idemKey) ([]byte, bool) {
	i, ok := st.at[key]
	if !ok {
		return nil, false
	}
	sl := st.slot(i)
	if sl.n == bigResult {
		return bytes.Clone(st.big[key]), true
	}
	return bytes.Clone(sl.inline[:sl.n]), true
}

// put keeps b as the result for key, forgetting the oldest result past
// the limit. st keeps b only when it is longer than inlineResult.
func (st *idemStore) put(key idemKey, b []byte) {
	i, ok := st.at[key]
	switch {
	case ok:
		delete(st.big, key)
	case st.n < st.limit:
		i = int32(st.n)
		st.n++
		if int(i)%idemPage == 0 {
			st.pages = append(st.pages, make([]idemSlot, min(idemPage, st.limit-int(i))))
		}
	default:
		i = int32(st.next)
		old := st.slot(i).key
		delete(st.at, old)
		delete(st.big, old)
		st.next = (st.next + 1) % st.limit
	}
	st.at[key] = i
	sl := st.slot(i)
	sl.key = key
	if len(b) > inlineResult {
		if st.big == nil {
			st.big = map[idemKey][]byte{}
		}
		st.big[key], sl.n = b, bigResult
		return
	}
	sl.n = uint16(copy(sl.inline[:], b))
}

func (in sendMessageIn) clientToken() string       { return in.ClientToken }
func (in sendEventIn) clientToken() string         { return in.ClientToken }
func (in disconnectIn) clientToken() string        { return in.ClientToken }
func (in startUploadIn) clientToken() string       { return in.ClientToken }
func (in completeUploadIn) clientToken() string    { return in.ClientToken }
func (in startChatIn) clientToken() string         { return in.ClientToken }
func (in createParticipantIn) clientToken() string { return in.ClientToken }
