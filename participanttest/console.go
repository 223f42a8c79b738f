package participanttest

import (
	"embed"
	"encoding/json"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/connectchat/participant/internal/wire"
)

// The agent console is a web page the server serves at its root URL ("/"):
// a live list of chats, an agent's and a customer's side of any chat, and
// the faults of [Server.Inject] toggled by hand. The page is a client of
// the server's public endpoints like any other (the Participant Service
// operations, the WebSocket, StartChatContact, CreateParticipant and
// StopContact); what only it needs is a small control API under
// /console/api/, which answers same-origin requests only. Its files are
// embedded: it needs no build step and no network.

//go:embed console
var consoleAssets embed.FS

const (
	consolePrefix    = "/console/"
	consoleAPIPrefix = "/console/api/"
)

// WithoutConsole turns the agent console off: the server then answers "/"
// and /console/ paths as unknown routes, with 404
// UnknownOperationException. The console is on by default.
func WithoutConsole() Option {
	return func(cf *config) { cf.noConsole = true }
}

// consoleState is the console's part of a Server.
type consoleState struct {
	once sync.Once
	mux  *http.ServeMux
	ids  map[*Fault]int // guarded by Server.mu: the ids the control API shows
	next int            // guarded by Server.mu

	agents map[*member]time.Time // guarded by Server.mu: console agents, when a tab last reported them
	typing map[*member]time.Time // guarded by Server.mu: who typed when, for watched chats
	swept  time.Time             // guarded by Server.mu: when typing last lost its stale entries
}

// serveConsole serves the console's page, files and control API, and
// reports false for every other request.
func (s *Server) serveConsole(w http.ResponseWriter, r *http.Request) bool {
	if s.cfg.noConsole {
		return false
	}
	p := r.URL.Path
	switch {
	case p == "/" || p == "/favicon.ico":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			return false
		}
	case !strings.HasPrefix(p, consolePrefix):
		return false
	}
	s.console.once.Do(func() { s.console.mux = s.consoleMux() })
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	if strings.HasPrefix(p, consoleAPIPrefix) {
		if why := s.consoleRefusal(r); why != "" {
			consoleError(w, http.StatusForbidden, "participanttest console: "+why)
			return true
		}
	} else {
		// WebSocket URLs may name 127.0.0.1 while the page came from
		// localhost, hence ws: beside 'self'.
		h.Set("Content-Security-Policy", "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' blob: data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	}
	s.console.mux.ServeHTTP(w, r)
	return true
}

// consoleRefusal says why r may not use the control API, or "" when it may:
// a browser page of another origin (Origin, Sec-Fetch-Site), a preflight (the
// control API answers no CORS), a Host that is not this server's (DNS
// rebinding), or a POST whose body is not JSON.
func (s *Server) consoleRefusal(r *http.Request) string {
	if !s.trustedHost(r.Host) {
		return "the request's Host is not this server's"
	}
	if r.Method == http.MethodOptions {
		return "the control API answers same-origin requests only (no CORS)"
	}
	if o := r.Header.Get("Origin"); o != "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		if !strings.EqualFold(o, scheme+"://"+r.Host) {
			return "cross-origin request refused"
		}
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return "cross-site request refused"
	}
	if r.Method == http.MethodPost {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
			return "a POST to the control API must carry application/json"
		}
	}
	return ""
}

// trustedHost reports whether host (a request's Host) names this server in a
// way no other site can: an IP address, localhost or a .localhost name, or
// the host of URL.
func (s *Server) trustedHost(host string) bool {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.ToLower(strings.Trim(name, "[]"))
	if name == "localhost" || strings.HasSuffix(name, ".localhost") || net.ParseIP(name) != nil {
		return true
	}
	if u, err := url.Parse(s.URL); err == nil && u.Hostname() != "" {
		return strings.EqualFold(u.Hostname(), name)
	}
	return false
}

func (s *Server) consoleMux() *http.ServeMux {
	mux := http.NewServeMux()
	files, _ := fs.Sub(consoleAssets, "console")
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, files, "index.html")
	})
	mux.HandleFunc("GET /favicon.ico", serveFavicon)
	mux.HandleFunc("GET /console/{file}", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, files, r.PathValue("file"))
	})
	mux.HandleFunc("GET /console/api/state", s.consoleState)
	mux.HandleFunc("GET /console/api/contacts/{id}/transcript", s.consoleTranscript)
	mux.HandleFunc("POST /console/api/contacts/{id}/sockets", s.consoleSockets)
	mux.HandleFunc("POST /console/api/contacts/{id}/tokens", s.consoleTokens)
	mux.HandleFunc("POST /console/api/faults", s.consoleAddFault)
	mux.HandleFunc("DELETE /console/api/faults", s.consoleClearFaults)
	mux.HandleFunc("DELETE /console/api/faults/{id}", s.consoleRemoveFault)
	mux.HandleFunc("/console/api/", func(w http.ResponseWriter, r *http.Request) {
		consoleError(w, http.StatusNotFound, "participanttest console: no control operation "+r.Method+" "+r.URL.Path)
	})
	return mux
}

func consoleJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"message":"participanttest console: cannot encode the answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func consoleError(w http.ResponseWriter, status int, msg string) {
	consoleJSON(w, status, map[string]string{"message": msg})
}

// decodeConsole reads a control request's JSON body into v; an empty body
// leaves v as it is. It answers 400 and reports false on bad JSON.
func decodeConsole(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err == nil && len(b) > 0 {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		consoleError(w, http.StatusBadRequest, "participanttest console: bad request body: "+err.Error())
		return false
	}
	return true
}

// consoleParticipant is a participant as the console's contact list
// shows it.
type consoleParticipant struct {
	ID        string `json:"id"`
	Role      string `json:"role"`
	Name      string `json:"name"`
	Left      bool   `json:"left"`
	Connected bool   `json:"connected"`
	Sockets   int    `json:"sockets"`  // open WebSocket connections
	Scripted  bool   `json:"scripted"` // an Agent run by the server
}

type consoleLast struct {
	Name    string `json:"name"`
	Role    string `json:"role"`
	Content string `json:"content"`
	Time    string `json:"time"`
}

type consoleContact struct {
	ID            string               `json:"id"`
	InitialID     string               `json:"initialId"`
	ContinuedFrom string               `json:"continuedFrom,omitempty"`
	Started       string               `json:"started"`
	Ended         string               `json:"ended,omitempty"`
	Active        bool                 `json:"active"`
	Items         int                  `json:"items"`
	Participants  []consoleParticipant `json:"participants"`
	Last          *consoleLast         `json:"last,omitempty"`
}

type consoleFault struct {
	ID            int     `json:"id"`
	Description   string  `json:"description"`
	Words         string  `json:"words"`
	Kind          string  `json:"kind"`
	Op            string  `json:"op,omitempty"`
	ContactID     string  `json:"contactId,omitempty"`
	ParticipantID string  `json:"participantId,omitempty"`
	Always        bool    `json:"always"`
	Times         int     `json:"times"`
	Probability   float64 `json:"probability,omitempty"`
	Fired         int     `json:"fired"`
	Live          bool    `json:"live"`
}

type consoleSnapshot struct {
	URL      string           `json:"url"`
	Seed     string           `json:"seed"` // a string: JavaScript numbers lose a uint64's digits
	Now      string           `json:"now"`
	Contacts []consoleContact `json:"contacts"`
	Faults   []consoleFault   `json:"faults"`
}

// consoleState answers the contact list and the faults, newest contact
// first. A tab names the agents it holds (?agents=id,id); console agents no
// tab has named for a while leave their chats.
func (s *Server) consoleState(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.consoleSeen(consoleAgentsOf(r))
	snap := consoleSnapshot{URL: s.URL, Seed: strconv.FormatUint(s.cfg.seed, 10), Now: formatTime(s.now()), Contacts: []consoleContact{}}
	for _, c := range s.contacts {
		s.touch(c)
		snap.Contacts = append(snap.Contacts, contactView(c))
	}
	snap.Faults = s.faultViews()
	s.mu.Unlock()
	sort.Slice(snap.Contacts, func(i, j int) bool {
		a, b := snap.Contacts[i], snap.Contacts[j]
		if a.Started != b.Started {
			return a.Started > b.Started
		}
		return a.ID < b.ID
	})
	consoleJSON(w, http.StatusOK, snap)
}

// contactView describes c. s.mu must be held.
func contactView(c *contact) consoleContact {
	v := consoleContact{ID: c.id, InitialID: c.initialID, Started: formatTime(c.started), Active: !c.ended, Items: len(c.items), Participants: []consoleParticipant{}}
	if c.source != nil {
		v.ContinuedFrom = c.source.id
	}
	for _, m := range c.members {
		p := consoleParticipant{ID: m.id, Role: m.role, Name: m.name, Left: m.left, Connected: m.connected, Scripted: m.agent != nil}
		for _, so := range m.sockets {
			if !so.dead {
				p.Sockets++
			}
		}
		v.Participants = append(v.Participants, p)
	}
	for i := len(c.items) - 1; i >= 0; i-- {
		it := c.items[i]
		if it.ContentType == wire.ContentTypeChatEnded && v.Ended == "" {
			v.Ended = it.AbsoluteTime
		}
		if v.Last == nil && (it.Type == TypeMessage || it.Type == TypeAttachment) {
			content := it.Content
			if it.Type == TypeAttachment && len(it.Attachments) > 0 {
				content = "[file] " + it.Attachments[0].AttachmentName
			}
			if r := []rune(content); len(r) > 80 {
				content = string(r[:79]) + "…"
			}
			v.Last = &consoleLast{Name: it.DisplayName, Role: it.ParticipantRole, Content: content, Time: it.AbsoluteTime}
		}
	}
	return v
}

// faultViews describes the injected faults, giving each an id the first time
// it is seen. s.mu must be held.
func (s *Server) faultViews() []consoleFault {
	ids := make(map[*Fault]int, len(s.faults)) // only the faults still injected
	out := []consoleFault{}
	for _, f := range s.faults {
		id, ok := s.console.ids[f]
		if !ok {
			s.console.next++
			id = s.console.next
		}
		ids[f] = id
		out = append(out, consoleFault{
			ID: id, Description: f.String(), Words: faultWords(f), Kind: f.kind.String(), Op: f.op,
			ContactID: f.contactID, ParticipantID: f.participantID,
			Always: f.always, Times: f.times, Probability: f.prob, Fired: f.fired, Live: f.live(),
		})
	}
	s.console.ids = ids
	return out
}

// consoleTranscript answers a contact's transcript as [Server.Transcript]
// sees it, for watching a chat without joining it.
func (s *Server) consoleTranscript(w http.ResponseWriter, r *http.Request) {
	items := s.Transcript(r.PathValue("id"))
	if items == nil {
		s.mu.Lock()
		_, ok := s.contacts[r.PathValue("id")]
		s.mu.Unlock()
		if !ok {
			consoleError(w, http.StatusNotFound, "participanttest console: no such contact")
			return
		}
		items = []Item{}
	}
	s.mu.Lock()
	typing := s.typingIn(r.PathValue("id"))
	s.mu.Unlock()
	consoleJSON(w, http.StatusOK, map[string]any{"transcript": items, "typing": typing})
}

// consoleSockets drops or closes every WebSocket of a contact at once.
func (s *Server) consoleSockets(w http.ResponseWriter, r *http.Request) {
	in := struct {
		Action string `json:"action"` // drop or close
		Code   int    `json:"code"`
		Reason string `json:"reason"`
	}{Code: 1000}
	if !decodeConsole(w, r, &in) {
		return
	}
	id := r.PathValue("id")
	if !s.hasContact(id) {
		consoleError(w, http.StatusNotFound, "participanttest console: no such contact")
		return
	}
	var n int
	switch in.Action {
	case "drop":
		n = s.DropSockets(id)
	case "close":
		if !validCloseCode(in.Code) {
			consoleError(w, http.StatusBadRequest, "participanttest console: a close code must be 1000-1003, 1007-1014 or 3000-4999")
			return
		}
		n = s.CloseSockets(id, in.Code, in.Reason)
	default:
		consoleError(w, http.StatusBadRequest, `participanttest console: action must be "drop" or "close"`)
		return
	}
	consoleJSON(w, http.StatusOK, map[string]int{"sockets": n})
}

func (s *Server) hasContact(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.contacts[id] != nil
}

func validCloseCode(c int) bool {
	return c >= 1000 && c <= 1003 || c >= 1007 && c <= 1014 || c >= 3000 && c <= 4999
}

// consoleTokens expires the tokens of a contact's participants now: its
// ConnectionTokens, and its ParticipantTokens too when asked.
func (s *Server) consoleTokens(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Participant bool `json:"participant"`
	}
	if !decodeConsole(w, r, &in) {
		return
	}
	n, err := s.expireTokens(r.PathValue("id"), in.Participant)
	if err != nil {
		consoleError(w, http.StatusNotFound, "participanttest console: no such contact")
		return
	}
	consoleJSON(w, http.StatusOK, map[string]int{"expired": n})
}

// expireTokens makes the ConnectionTokens of a contact (and its
// ParticipantTokens when participant is set) expire now, so that their next
// use answers 403 "token expired". It returns how many it expired.
func (s *Server) expireTokens(contactID string, participant bool) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.contacts[contactID]
	if c == nil {
		return 0, ErrUnknownContact
	}
	now := s.now()
	n := 0
	for _, t := range s.tokens {
		if t.m.c != c || t.kind == kindParticipant && !participant {
			continue
		}
		if !t.expires.IsZero() && !now.Before(t.expires) {
			continue // expired already
		}
		t.expires = now
		n++
	}
	return n, nil
}

func (s *Server) consoleClearFaults(w http.ResponseWriter, r *http.Request) {
	s.ClearFaults()
	consoleJSON(w, http.StatusOK, map[string]any{"faults": []consoleFault{}})
}

func (s *Server) consoleRemoveFault(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	s.mu.Lock()
	n := len(s.faults)
	if err == nil && id > 0 {
		s.faults = slices.DeleteFunc(s.faults, func(f *Fault) bool { return s.console.ids[f] == id })
	}
	removed := len(s.faults) < n
	s.mu.Unlock()
	if !removed {
		consoleError(w, http.StatusNotFound, "participanttest console: no such fault")
		return
	}
	consoleJSON(w, http.StatusOK, map[string]int{"removed": id})
}
