package chat

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/internal/wire"
)

// The service calls the session makes, each on a lane of its own (see
// lanes in Session): connection work (CreateParticipantConnection, dial,
// token refresh) never waits behind a transcript read, receipts or
// Disconnect. A call returns the completion that applies its result in the
// state machine: no result is passed around as an interface.

// job is a service call. It runs outside every lock, with a context that
// ends when the session does, and returns its completion (nil: nothing to
// apply).
type job func(ctx context.Context) completion

// completion applies a call's result. It runs under lmu, only while the
// session is not over.
type completion func(now time.Time)

// callTimeout bounds each service call (one CreateParticipantConnection, one
// GetTranscript page, one SendEvent, the client's retries included), so a
// stalled call cannot hold its lane for long.
const callTimeout = 30 * time.Second

// Bounds of a gap fill: a transcript read stops after maxGapPages pages
// (of 100 items) or maxGapItems items and counts as failed, retried with
// the backoff. A real chat is far below: a contact holds at most a few
// thousand items.
const (
	maxGapPages = 500
	maxGapItems = 50_000
)

// errGapTooLong is why a transcript read that never ended failed.
var errGapTooLong = fmt.Errorf("chat: transcript read stopped after %d pages or %d items", maxGapPages, maxGapItems)

// runJobs is the runner of the service-call lanes: each job runs in turn,
// and its completion is applied in the state machine.
func (s *Session) runJobs(batch []job) {
	for _, j := range batch {
		if s.ctx.Err() != nil {
			return
		}
		apply := j(s.ctx)
		if apply == nil {
			continue
		}
		s.input(apply)
	}
}

// push queues a job on a lane. The lanes are bounded far above what the
// state machine queues (one connect or refresh, one gap fill, one receipt
// batch and one Disconnect at a time): a full lane is a bug, reported.
func (s *Session) push(l interface{ Push(job) error }, j job) {
	if err := l.Push(j); err != nil {
		s.log.Error("chat: service-call lane full; call dropped", "err", err)
	}
}

type connectResult struct {
	sk     *sock
	token  participant.Token
	expiry time.Time
	err    error
	// history is the newest item of the transcript before the socket was
	// dialled, read for NoHistory on the first connect (nil if none).
	history *participant.Item
}

type gapMode uint8

const (
	gapFrom gapMode = iota // FORWARD from an AbsoluteTime
	gapFull                // the whole transcript
)

type gapResult struct {
	items []incoming
	err   error
	pages int // GetTranscript calls made, for telemetry
}

type refreshResult struct {
	token  participant.Token
	expiry time.Time
	err    error
}

// open makes a new connection: CreateParticipantConnection for a WebSocket
// URL and a ConnectionToken, then the dial. With skipHistory (NoHistory, on
// the first connect) it reads the transcript's newest item between the two:
// everything after it is "from then on", and an item that comes while the
// socket is not yet subscribed is found by the gap fill that follows.
func (s *Session) open(ctx context.Context, skipHistory bool) connectResult {
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	out, err := s.client.CreateParticipantConnection(cctx, &participant.CreateParticipantConnectionInput{
		ParticipantToken:   s.ptoken,
		Type:               []participant.ConnectionType{participant.ConnectionTypeWebsocket, participant.ConnectionTypeConnectionCredentials},
		ConnectParticipant: true,
	}, s.met.calls()...)
	cancel()
	if err != nil {
		return connectResult{err: err}
	}
	if out.Websocket == nil || out.Websocket.URL == "" || out.ConnectionCredentials == nil || out.ConnectionCredentials.ConnectionToken == "" {
		return connectResult{err: errors.New("chat: CreateParticipantConnection returned no WebSocket URL or ConnectionToken")}
	}
	r := connectResult{token: out.ConnectionCredentials.ConnectionToken, expiry: out.ConnectionCredentials.Expiry.Time}
	if skipHistory {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		page, err := s.client.GetTranscript(cctx, &participant.GetTranscriptInput{
			ConnectionToken: r.token,
			ScanDirection:   participant.ScanDirectionBackward,
			MaxResults:      1,
		}, s.met.calls()...)
		cancel()
		if err != nil {
			return connectResult{err: err}
		}
		if len(page.Transcript) > 0 {
			r.history = &page.Transcript[0]
		}
	}
	r.sk, r.err = s.dial(ctx, out.Websocket.URL)
	return r
}

// fetch reads the transcript for a gap fill, following NextToken to the
// end: FORWARD from anchor (inclusive), or the whole transcript. The items
// come back in the service's order, oldest first: the whole transcript is
// read newest first (BACKWARD, DESCENDING, across its pages) and reversed,
// since BACKWARD pages in ASCENDING order would be ascending only within
// each page. Each page has its own timeout; a read that goes on past
// maxGapPages or maxGapItems (a service whose every page has a new
// NextToken) fails with errGapTooLong.
func (s *Session) fetch(ctx context.Context, tok participant.Token, mode gapMode, anchor time.Time) gapResult {
	in := participant.GetTranscriptInput{
		ConnectionToken: tok,
		MaxResults:      100,
		SortOrder:       participant.SortOrderAscending,
	}
	switch mode {
	case gapFrom:
		in.ScanDirection = participant.ScanDirectionForward
		in.StartPosition = &participant.StartPosition{AbsoluteTime: participant.Time{Time: anchor}}
	case gapFull:
		in.ScanDirection = participant.ScanDirectionBackward
		in.SortOrder = participant.SortOrderDescending
	}
	var r gapResult
	seen := map[string]bool{}
	for range maxGapPages {
		pctx, cancel := context.WithTimeout(ctx, callTimeout)
		page, err := s.client.GetTranscript(pctx, &in, s.met.calls()...)
		cancel()
		r.pages++
		if err != nil {
			return gapResult{err: err, pages: r.pages}
		}
		for _, it := range page.Transcript {
			r.items = append(r.items, incoming{it: it, past: it.RelatedContactID != ""})
		}
		if len(r.items) > maxGapItems {
			return gapResult{err: errGapTooLong, pages: r.pages}
		}
		if page.NextToken == "" || seen[page.NextToken] {
			if mode == gapFull {
				slices.Reverse(r.items)
			}
			return r
		}
		seen[page.NextToken] = true
		in.NextToken = page.NextToken
	}
	return gapResult{err: errGapTooLong, pages: r.pages}
}

// newToken gets a new ConnectionToken.
func (s *Session) newToken(ctx context.Context) refreshResult {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	out, err := s.client.CreateParticipantConnection(ctx, &participant.CreateParticipantConnectionInput{
		ParticipantToken: s.ptoken,
		Type:             []participant.ConnectionType{participant.ConnectionTypeConnectionCredentials},
	}, s.met.calls()...)
	if err != nil {
		return refreshResult{err: err}
	}
	if out.ConnectionCredentials == nil || out.ConnectionCredentials.ConnectionToken == "" {
		return refreshResult{err: errors.New("chat: CreateParticipantConnection returned no ConnectionToken")}
	}
	return refreshResult{token: out.ConnectionCredentials.ConnectionToken, expiry: out.ConnectionCredentials.Expiry.Time}
}

// receiptsResult is what became of a batch of receipts: unsent holds those
// refused with 403 (an expired ConnectionToken, or the chat ended) and those
// after them, to be queued again after a token refresh.
type receiptsResult struct {
	unsent []receipt
}

// sendBatch sends receipts one SendEvent each (the service has no batch
// call). A 409 is dropped quietly: receipts are unsupported with more than
// two participants. A 403 stops the batch: what is left goes back to the
// queue.
func (s *Session) sendBatch(ctx context.Context, tok participant.Token, batch []receipt) receiptsResult {
	for i, r := range batch {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		_, err := s.client.SendEvent(cctx, &participant.SendEventInput{
			ConnectionToken: tok,
			ContentType:     r.contentType(),
			Content:         wire.ReceiptContent(r.messageID),
		}, s.met.calls()...)
		cancel()
		var conflict *participant.ConflictError
		switch {
		case err == nil:
			s.st.receiptSent()
		case errors.As(err, &conflict):
			s.st.receiptConflict()
			s.log.Debug("chat: receipt refused with 409 (more than two participants); dropped", "message", r.messageID)
		case isAccessDenied(err):
			return receiptsResult{unsent: batch[i:]}
		case ctx.Err() != nil:
			return receiptsResult{}
		default:
			s.st.receiptFailed()
			s.log.Warn("chat: receipt failed", "message", r.messageID, "err", err)
		}
	}
	return receiptsResult{}
}
