package participanttest

import (
	_ "embed"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// What the console needs to be used all day: agents that vanish leave their
// chats, watched chats show typing, faults read as words, and a favicon.

// consoleAgentTimeout is how long an agent the console joined, with no
// open WebSocket, stays in its chat once no console tab reports it: a tab
// that crashed or lost the network without its pagehide
// DisconnectParticipant. An open socket keeps it: a tab in the background
// may poll only once a minute (Chrome's intensive timer throttling).
const consoleAgentTimeout = 30 * time.Second

// consoleTypingShown is how long a typing event shows in a watched chat,
// as long as the clients show one.
const consoleTypingShown = 12 * time.Second

// consoleMaxAgents bounds the agents the console tracks; past it, the
// longest silent are dropped from tracking (and so stay in their chats).
const consoleMaxAgents = 1000

// consoleAgentsOf reads the agents a console tab holds from its state poll
// (?agents=contactId:participantId,...), at most 50 of them.
func consoleAgentsOf(r *http.Request) []string {
	v := r.URL.Query().Get("agents")
	if v == "" || len(v) > 50*80 {
		return nil
	}
	ids := strings.Split(v, ",")
	if len(ids) > 50 {
		ids = ids[:50]
	}
	return ids
}

// consoleSeen notes that a console tab still holds the agents named
// (contactId:participantId), and takes out of their chats (with participant.left) the console
// agents that no tab has reported for consoleAgentTimeout and that have no
// open WebSocket. Only active AGENT participants that no scripted Agent
// runs are tracked. s.mu must be held.
func (s *Server) consoleSeen(ids []string) {
	now := s.now()
	if s.console.agents == nil {
		s.console.agents = map[*member]time.Time{}
	}
	for _, id := range ids {
		if m := s.memberOf(id); m != nil && consoleTracked(m) {
			s.console.agents[m] = now
		}
	}
	for m, seen := range s.console.agents {
		switch {
		case m.left || m.c.ended:
			delete(s.console.agents, m)
		case now.Sub(seen) >= consoleAgentTimeout && !hasOpenSocket(m):
			delete(s.console.agents, m)
			s.leave(m)
		}
	}
	s.forgetOldestConsoleAgents()
}

// consoleTracked reports whether the console tracks m: an active AGENT
// participant that no scripted Agent runs.
func consoleTracked(m *member) bool {
	return m.role == RoleAgent && m.agent == nil && !m.left && !m.c.ended
}

// forgetOldestConsoleAgents stops tracking the agents seen longest ago
// past consoleMaxAgents. s.mu must be held.
func (s *Server) forgetOldestConsoleAgents() {
	n := len(s.console.agents) - consoleMaxAgents
	if n <= 0 {
		return
	}
	type seenAt struct {
		m  *member
		at time.Time
	}
	all := make([]seenAt, 0, len(s.console.agents))
	for m, at := range s.console.agents {
		all = append(all, seenAt{m, at})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].at.Before(all[j].at) })
	for _, a := range all[:n] {
		delete(s.console.agents, a.m)
	}
}

// hasOpenSocket reports whether m has a WebSocket open. s.mu must be held.
func hasOpenSocket(m *member) bool {
	for _, so := range m.sockets {
		if !so.dead {
			return true
		}
	}
	return false
}

// memberOf finds a participant named contactId:participantId. s.mu must
// be held.
func (s *Server) memberOf(name string) *member {
	contactID, id, ok := strings.Cut(name, ":")
	c := s.contacts[contactID]
	if !ok || c == nil {
		return nil
	}
	return c.member(id)
}

// noteTyping records that m is typing, for chats the console watches
// without joining. s.mu must be held.
func (s *Server) noteTyping(m *member) {
	if s.cfg.noConsole {
		return
	}
	now := s.now()
	if s.console.typing == nil {
		s.console.typing = map[*member]time.Time{}
	}
	// Sweeping on every typing event would cost a walk of every typer
	// under the server's lock; once per consoleTypingShown keeps the map
	// to the typers of two such spans.
	if now.Sub(s.console.swept) >= consoleTypingShown || now.Before(s.console.swept) {
		s.console.swept = now
		for o, at := range s.console.typing {
			if now.Sub(at) >= consoleTypingShown || o.c.ended {
				delete(s.console.typing, o)
			}
		}
	}
	s.console.typing[m] = now
}

// consoleTyper is a participant typing in a watched chat.
type consoleTyper struct {
	ParticipantID string `json:"participantId"`
	Name          string `json:"name"`
	Role          string `json:"role"`
	Since         string `json:"since"`
}

// typingIn lists who typed in the contact within consoleTypingShown and
// has sent nothing since. s.mu must be held.
func (s *Server) typingIn(contactID string) []consoleTyper {
	out := []consoleTyper{}
	now := s.now()
	for m, at := range s.console.typing {
		if m.c.id != contactID || m.left || m.c.ended || now.Sub(at) >= consoleTypingShown || sentSince(m, at) {
			continue
		}
		out = append(out, consoleTyper{ParticipantID: m.id, Name: m.name, Role: m.role, Since: formatTime(at)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ParticipantID < out[j].ParticipantID })
	return out
}

// sentSince reports whether m sent a message or attachment at or after at.
func sentSince(m *member, at time.Time) bool {
	since := formatTime(at)
	for i := len(m.c.items) - 1; i >= 0; i-- {
		it := m.c.items[i]
		if it.AbsoluteTime < since {
			return false
		}
		if it.ParticipantID == m.id && (it.Type == TypeMessage || it.Type == TypeAttachment) {
			return true
		}
	}
	return false
}

// faultWords describes a fault in words, for the console's lists and log:
// what it does, then where, how often and when.
func faultWords(f *Fault) string {
	return faultWhat(f) + faultWhen(f)
}

// faultWhat says what a fault does.
func faultWhat(f *Fault) string {
	ops := "every operation"
	if f.op != "" {
		ops = f.op
	}
	switch f.kind {
	case faultFail:
		if f.status != 0 {
			return fmt.Sprintf("%s fails with %s (HTTP %d)", ops, f.code, f.status)
		}
		return fmt.Sprintf("%s fails with %s", ops, f.code)
	case faultThrottle:
		return fmt.Sprintf("%s is throttled to %g requests a second (burst %g)", ops, f.rate, f.burst)
	case faultLatency:
		return fmt.Sprintf("%s is delayed by %s", ops, f.delay)
	case faultCloseSocket:
		return fmt.Sprintf("WebSockets are closed with code %d", f.closeCode)
	case faultRefuseWebSocket:
		status := f.status
		if status == 0 {
			status = http.StatusForbidden
		}
		return fmt.Sprintf("WebSocket upgrades are refused with %d", status)
	}
	if w, ok := faultPlainWords[f.kind]; ok {
		return w
	}
	return "a fault"
}

// faultPlainWords are the words of the faults that take no argument.
var faultPlainWords = map[faultKind]string{
	faultDropSocket:       "WebSockets are cut without a close frame",
	faultSilenceHeartbeat: "heartbeats go unanswered",
	faultSilencePing:      "deep pings go unanswered",
	faultFailPing:         "deep pings answer 500",
	faultDuplicate:        "chat frames are sent twice",
	faultReorder:          "chat frames are swapped in pairs",
	faultErrorFrame:       "an error frame is sent",
}

// faultWhen says where, how often and when a fault fires.
func faultWhen(f *Fault) string {
	var b strings.Builder
	switch {
	case f.participantID != "":
		fmt.Fprintf(&b, ", for participant %s", short(f.participantID))
	case f.contactID != "":
		fmt.Fprintf(&b, ", in chat %s", short(f.contactID))
	}
	switch {
	case f.kind == faultThrottle:
	case f.always:
		b.WriteString(", every time until removed")
	case f.times == 1:
		b.WriteString(", once")
	default:
		fmt.Fprintf(&b, ", %d times", f.times)
	}
	if f.prob > 0 && f.prob < 1 {
		fmt.Fprintf(&b, ", with probability %g", f.prob)
	}
	if f.skip > 0 {
		fmt.Fprintf(&b, ", after %d matching requests pass", f.skip)
	}
	return b.String()
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

//go:embed console/favicon.svg
var consoleFavicon []byte

// serveFavicon answers /favicon.ico with the console's icon, so that a
// browser's automatic request does not end in a 404.
func serveFavicon(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "max-age=86400")
	_, _ = w.Write(consoleFavicon)
}
