package chat

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/internal/wire"
)

// The service calls the worker makes for the state machine, and their
// results.

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
	mode  gapMode
	items []incoming
	err   error
	pages int // pages requested, counted only with telemetry
}

type refreshResult struct {
	token  participant.Token
	expiry time.Time
	err    error
}

type receiptsResult struct {
	denied bool // a 403: the participant is no longer in the chat
}

type disconnectResult struct {
	err  error
	done chan error
}

// discard releases what a result the state machine will not see holds.
func discard(r any) {
	if c, ok := r.(connectResult); ok && c.sk != nil {
		_ = c.sk.conn.CloseNow()
	}
}

// open makes a new connection: CreateParticipantConnection for a WebSocket
// URL and a ConnectionToken, then the dial. With skipHistory (NoHistory, on
// the first connect) it reads the transcript's newest item between the two:
// everything after it is "from then on", and an item that comes while the
// socket is not yet subscribed is found by the gap fill that follows.
func (s *Session) open(ctx context.Context, skipHistory bool) any {
	out, err := s.client.CreateParticipantConnection(ctx, &participant.CreateParticipantConnectionInput{
		ParticipantToken:   s.ptoken,
		Type:               []participant.ConnectionType{participant.ConnectionTypeWebsocket, participant.ConnectionTypeConnectionCredentials},
		ConnectParticipant: true,
	}, s.met.calls()...)
	if err != nil {
		return connectResult{err: err}
	}
	if out.Websocket == nil || out.Websocket.URL == "" || out.ConnectionCredentials == nil || out.ConnectionCredentials.ConnectionToken == "" {
		return connectResult{err: errors.New("chat: CreateParticipantConnection returned no WebSocket URL or ConnectionToken")}
	}
	r := connectResult{token: out.ConnectionCredentials.ConnectionToken, expiry: out.ConnectionCredentials.Expiry.Time}
	if skipHistory {
		page, err := s.client.GetTranscript(ctx, &participant.GetTranscriptInput{
			ConnectionToken: r.token,
			ScanDirection:   participant.ScanDirectionBackward,
			MaxResults:      1,
		}, s.met.calls()...)
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
// each page.
func (s *Session) fetch(ctx context.Context, tok participant.Token, mode gapMode, anchor time.Time) any {
	in := &participant.GetTranscriptInput{
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
	r := gapResult{mode: mode}
	for it, err := range s.client.Transcript(ctx, in, s.met.transcriptCalls(&r.pages)...) {
		if err != nil {
			return gapResult{mode: mode, err: err, pages: r.pages}
		}
		r.items = append(r.items, incoming{it: it, past: it.RelatedContactID != ""})
	}
	if mode == gapFull {
		slices.Reverse(r.items)
	}
	return r
}

// refresh gets a new ConnectionToken.
func (s *Session) refresh(ctx context.Context) any {
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

// sendBatch sends receipts one SendEvent each (the service has no batch
// call). A 409 is dropped quietly: receipts are unsupported with more than
// two participants. A 403 stops the batch.
func (s *Session) sendBatch(ctx context.Context, tok participant.Token, batch []receipt) any {
	for _, r := range batch {
		_, err := s.client.SendEvent(ctx, &participant.SendEventInput{
			ConnectionToken: tok,
			ContentType:     r.contentType(),
			Content:         wire.ReceiptContent(r.messageID),
		}, s.met.calls()...)
		var conflict *participant.ConflictError
		switch {
		case err == nil:
			s.st.receiptsSent.Add(1)
		case errors.As(err, &conflict):
			s.st.receiptConflicts.Add(1)
			s.log.Debug("chat: receipt refused with 409 (more than two participants); dropped", "message", r.messageID)
		case isAccessDenied(err):
			s.st.receiptErrors.Add(1)
			return receiptsResult{denied: true}
		case ctx.Err() != nil:
			return nil
		default:
			s.st.receiptErrors.Add(1)
			s.log.Warn("chat: receipt failed", "message", r.messageID, "err", err)
		}
	}
	return nil
}
