package participanttest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/connectchat/participant/internal/wire"
)

// RegisterView makes DescribeView answer v for viewToken (the token an
// interactive ShowView message carries). Any participant with a live
// ConnectionToken may describe it; an unregistered token answers
// ResourceNotFoundException.
func (s *Server) RegisterView(viewToken string, v View) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.views[viewToken] = v
}

// describeViewIn is DescribeView's input: the label of its path.
type describeViewIn struct{ viewToken string }

var describeViewOp = jsonOp[describeViewIn]{
	fromRequest: func(x *exchange, in *describeViewIn) *apiError {
		raw := strings.TrimPrefix(x.r.URL.EscapedPath(), viewsPrefix)
		if strings.Contains(raw, "/") {
			return newAPIError("UnknownOperationException", "participanttest: no operation GET "+x.r.URL.EscapedPath())
		}
		var err error
		if in.viewToken, err = url.PathUnescape(raw); err != nil {
			return validation("participanttest: the view token is not a valid percent-encoded path segment")
		}
		return nil
	},
	check: func(v *checks, in *describeViewIn) {
		v.required("viewToken", in.viewToken, 1, 1000)
	},
	run: func(c *call, in *describeViewIn) (any, *apiError) {
		view, ok := c.s.views[in.viewToken]
		if !ok {
			e := newAPIError("ResourceNotFoundException", "The view does not exist (participanttest: no view registered for this view token)")
			e.extra = map[string]string{"ResourceId": in.viewToken}
			return nil, e
		}
		return describeViewOut{View: view}, nil
	},
}

// AuthOutcome is how a customer authentication ends: the ContentType event
// the server sends.
type AuthOutcome string

// Outcomes of a customer authentication.
const (
	AuthSucceeded AuthOutcome = "succeeded"
	AuthFailed    AuthOutcome = "failed"
	AuthTimeout   AuthOutcome = "timeout"
	AuthExpired   AuthOutcome = "expired"
)

// authSession is one customer authentication. Guarded by Server.mu.
type authSession struct {
	id      string
	c       *contact
	started time.Time
	done    bool
}

// Errors of the Server's Go methods.
var (
	// ErrUnknownContact: no contact has the given id.
	ErrUnknownContact = errors.New("participanttest: unknown contact")
	// ErrChatEnded: the contact's chat has ended.
	ErrChatEnded = errors.New("participanttest: the chat has ended")
	// ErrUnknownSession: no authentication session has the given id, or it
	// has already ended.
	ErrUnknownSession = errors.New("participanttest: unknown or finished authentication session")
	// ErrMaxChats: [Server.StartChat] would pass the cap on concurrent
	// active chats ([WithMaxChats]).
	ErrMaxChats = errors.New("participanttest: too many active chats")
)

// StartAuthentication begins a customer authentication in a chat, as the
// Authenticate Customer flow block does: it sends an
// authentication.initiated event whose Content is {"SessionId":"<id>"} and
// returns the session id. The customer then has Lifetimes.AuthenticationURL
// (1 minute) to call GetAuthenticationUrl, whose URL is served by this
// server: opening it ends the session with authentication.succeeded (or
// authentication.failed with ?outcome=failed) and redirects to the
// RedirectUri. CancelParticipantAuthentication ends it with
// authentication.cancelled; [Server.FinishAuthentication] ends it from Go.
func (s *Server) StartAuthentication(contactID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.contacts[contactID]
	if c == nil {
		return "", ErrUnknownContact
	}
	s.touch(c)
	if c.ended {
		return "", ErrChatEnded
	}
	a := &authSession{id: s.newID(), c: c, started: s.now()}
	s.auths[a.id] = a
	s.emitAuth(a, wire.ContentTypeAuthenticationInitiated)
	return a.id, nil
}

// FinishAuthentication ends an authentication session with the event of
// outcome: authentication.succeeded, failed, timeout or expired.
func (s *Server) FinishAuthentication(sessionID string, outcome AuthOutcome) error {
	var ct string
	switch outcome {
	case AuthSucceeded:
		ct = wire.ContentTypeAuthenticationSucceeded
	case AuthFailed:
		ct = wire.ContentTypeAuthenticationFailed
	case AuthTimeout:
		ct = wire.ContentTypeAuthenticationTimeout
	case AuthExpired:
		ct = wire.ContentTypeAuthenticationExpired
	default:
		return fmt.Errorf("participanttest: unknown authentication outcome %q", outcome)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.auths[sessionID]
	if a == nil || a.done {
		return ErrUnknownSession
	}
	s.touch(a.c)
	if a.c.ended {
		return ErrChatEnded
	}
	a.done = true
	s.emitAuth(a, ct)
	return nil
}

// emitAuth sends an authentication event. s.mu must be held.
func (s *Server) emitAuth(a *authSession, contentType string) {
	content, _ := json.Marshal(struct {
		SessionID string `json:"SessionId"`
	}{a.id})
	s.emit(a.c, &Item{Type: TypeEvent, ContentType: contentType, Content: string(content), ParticipantRole: RoleSystem, DisplayName: ctDefaultDispName}, true, nil)
}

func authChecks(v *checks, sessionID string) {
	if sessionID == "" {
		v.null("sessionId")
	} else {
		v.length("sessionId", sessionID, 36, 36)
	}
}

// session finds a live authentication session of m's contact. s.mu must be
// held.
func (s *Server) session(m *member, id string) (*authSession, *apiError) {
	a := s.auths[id]
	switch {
	case a == nil || a.c != m.c:
		return nil, validation("participanttest: unknown SessionId")
	case a.done:
		return nil, validation("participanttest: the authentication session has ended")
	}
	return a, nil
}

var getAuthenticationURLOp = jsonOp[authURLIn]{
	check: func(v *checks, in *authURLIn) {
		authChecks(v, in.SessionID)
		v.required("redirectUri", in.RedirectURI, 1, 1024)
	},
	run: func(c *call, in *authURLIn) (any, *apiError) {
		s := c.s
		a, e := s.session(c.m, in.SessionID)
		if e != nil {
			return nil, e
		}
		if s.now().Sub(a.started) > s.cfg.life.AuthenticationURL {
			return nil, validation(fmt.Sprintf("participanttest: GetAuthenticationUrl must be called within %s of authentication.initiated", s.cfg.life.AuthenticationURL))
		}
		q := url.Values{"session_id": {a.id}, "redirect_uri": {in.RedirectURI}}
		return authURLOut{AuthenticationURL: httpBase(c.x.r) + authorizePath + "?" + q.Encode()}, nil
	},
}

var cancelAuthenticationOp = jsonOp[cancelAuthIn]{
	check: func(v *checks, in *cancelAuthIn) { authChecks(v, in.SessionID) },
	run: func(c *call, in *cancelAuthIn) (any, *apiError) {
		a, e := c.s.session(c.m, in.SessionID)
		if e != nil {
			return nil, e
		}
		a.done = true
		c.s.emitAuth(a, wire.ContentTypeAuthenticationCancelled)
		return struct{}{}, nil
	},
}

// authorizePage stands in for the Amazon Cognito hosted page that
// GetAuthenticationUrl's URL opens: it ends the session at once with
// authentication.succeeded (or failed, with ?outcome=failed) and redirects
// to the RedirectUri with ?code=... (or ?error=access_denied).
func (s *Server) authorizePage(x *exchange) {
	q := x.r.URL.Query()
	outcome := AuthOutcome(q.Get("outcome"))
	if outcome == "" {
		outcome = AuthSucceeded
	}
	if outcome != AuthSucceeded && outcome != AuthFailed {
		x.fail(validation("participanttest: outcome must be succeeded or failed"))
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		x.fail(validation("participanttest: bad redirect_uri"))
		return
	}
	if err := s.FinishAuthentication(q.Get("session_id"), outcome); err != nil {
		x.fail(validation(err.Error()))
		return
	}
	rq := redirect.Query()
	if outcome == AuthSucceeded {
		s.mu.Lock()
		rq.Set("code", s.newSecret(24))
		s.mu.Unlock()
	} else {
		rq.Set("error", "access_denied")
	}
	redirect.RawQuery = rq.Encode()
	x.status = http.StatusFound
	x.w.Header().Set("Location", redirect.String())
	x.w.WriteHeader(http.StatusFound)
}
