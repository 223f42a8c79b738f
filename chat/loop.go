package chat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/connectchat/participant"
	"github.com/connectchat/participant/internal/wire"
)

// The session's state machine (its sockets, engine and receipt queue) has
// no goroutine of its own: whoever has an input runs it under Session.lmu.
// The processor runs the frames the socket readers read, the worker the
// results of its service calls, a time.AfterFunc timer the deadlines, the
// application its requests. Each input ends with after, which releases what
// is ready and sets the timer for the next deadline. An idle session thus
// costs one goroutine, its socket's reader, parked in a read.

// input runs f, an input of the state machine, unless the session is
// over.
func (s *Session) input(f func(now time.Time)) {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	if s.over {
		return
	}
	now := time.Now()
	f(now)
	s.after(now)
}

// onTimer is the timer's function. The timer has fired, so it is set again
// whatever the next deadline.
func (s *Session) onTimer() {
	s.input(func(now time.Time) {
		s.armed = time.Time{}
		s.tick(now)
	})
}

// after runs after every input: it releases what the engine has ready and
// the receipts that are due, then either shuts the session down or sets the
// timer for the next deadline. s.lmu is held.
func (s *Session) after(now time.Time) {
	if !s.over {
		s.step(now)
	}
	s.met.sync(&s.st, s.conn.connected, s.contactID)
	if s.over {
		s.shutdown()
		return
	}
	d := s.deadline(now)
	if d.Equal(s.armed) {
		return
	}
	s.armed = d
	if d.IsZero() {
		s.timer.Stop()
		return
	}
	s.timer.Reset(max(d.Sub(now), 0))
}

// step releases what the engine has ready, and the receipts that are due.
func (s *Session) step(now time.Time) {
	s.eng.flush(now)
	s.release(now)
	if s.eng.ended {
		s.chatEnded()
		return
	}
	s.sendReceipts(now, false)
}

// release publishes what the engine released, with the typing indicators
// that timed out first and those its messages end.
func (s *Session) release(now time.Time) {
	evs := s.typists.tick(now)
	if out := s.typists.observe(s.eng.take(), now); len(evs) == 0 {
		evs = out
	} else {
		evs = append(evs, out...)
	}
	s.publish(evs...)
}

// deadline returns when tick must run next, or zero: the earliest of its
// parts' deadlines.
func (s *Session) deadline(now time.Time) time.Time {
	var d time.Time
	at := func(t time.Time) {
		if !t.IsZero() && (d.IsZero() || t.Before(d)) {
			d = t
		}
	}
	at(s.conn.deadline())
	at(s.refresh.deadline())
	if s.conn.primary != nil {
		at(s.gap.deadline())
	}
	if s.eng.hold {
		at(s.gap.holdUntil)
	}
	at(s.eng.deadline(now))
	at(s.typists.deadline())
	if s.rq != nil {
		at(s.rq.at)
	}
	at(s.leaveBy)
	return d
}

// tick runs what is due at now, part by part.
func (s *Session) tick(now time.Time) {
	s.connTick(now)
	if s.refresh.tick(now) {
		s.refreshToken()
	}
	if s.eng.hold && !now.Before(s.gap.holdUntil) {
		s.eng.hold = false
		s.log.Warn("chat: no gap fill succeeded; releasing the held items", "held_for", maxHold)
	}
	if s.conn.primary != nil && s.gap.tick(now) {
		s.gapFill(now)
	}
	if q := s.rq; q != nil && !q.at.IsZero() && !now.Before(q.at) {
		q.at = time.Time{}
	}
	if !s.leaveBy.IsZero() && !now.Before(s.leaveBy) {
		s.log.Info("chat: left the chat", "waited", s.cfg.DisconnectWait)
		s.finish(ErrDisconnected)
	}
}

// connTick runs the connector's actions due at now.
func (s *Session) connTick(now time.Time) {
	for !s.over {
		switch s.conn.tick(now) {
		case actNone:
			return
		case actBeat:
			s.beat(s.conn.primary, now)
		case actHeartbeatMissed:
			s.st.heartbeatMissed()
			s.lose(errHeartbeat, now)
		case actResubscribe:
			s.subscribe(s.conn.candidate, now)
		case actSubscribeFailed:
			s.candidateFailed(fmt.Errorf("%w after %d attempts", ErrSubscribe, s.conn.candidate.subSent), now)
		case actConnect:
			s.startConnect()
		case actRotate:
			s.log.Info("chat: rotating the WebSocket", "age", now.Sub(s.conn.primary.opened).Round(time.Second))
			s.startConnect()
		}
	}
}

// startConnect asks the connection lane for a new connection: the first,
// a replacement for a lost one, or a rotation. Only one is ever under way.
func (s *Session) startConnect() {
	s.conn.connecting()
	skipHistory := s.cfg.NoHistory && !s.conn.connected && s.eng.floor.IsZero()
	s.push(&s.connLane, func(ctx context.Context) completion {
		r := s.open(ctx, skipHistory)
		return func(now time.Time) { s.onConnect(r, now) }
	})
}

func (s *Session) onConnect(r connectResult, now time.Time) {
	if s.leaving {
		if r.sk != nil {
			_ = r.sk.conn.CloseNow()
		}
		return
	}
	if r.err != nil {
		s.connectFailed(r.err, now)
		return
	}
	if r.history != nil {
		// NoHistory: start after the newest item before the connect.
		s.eng.startAfter(r.history.AbsoluteTime.Time, r.history.ID)
	}
	s.setToken(r.token, r.expiry)
	s.refresh.schedule(r.expiry, now)
	s.conn.opened(r.sk, now)
	s.startReader(r.sk)
	s.log.Debug("chat: WebSocket open", "socket", r.sk.n, "url", r.sk.where)
	s.write(r.sk, subscribeFrame)
}

// connectFailed handles a failed connect: the first ends the session
// (Connect returns the error), a 403 means the chat ended, a failed
// rotation keeps the current socket, and a failed reconnect backs off.
func (s *Session) connectFailed(err error, now time.Time) {
	switch {
	case !s.conn.connected:
		s.conn.state = connIdle
		s.ready <- err
		s.finish(err)
	case isAccessDenied(err):
		s.endedOffline(err, now)
	case s.conn.primary != nil:
		s.log.Warn("chat: rotation failed; keeping the current WebSocket", "err", err)
		s.conn.rotationFailed(now)
	default:
		s.failed(err, now)
	}
}

// failed records a failed reconnect attempt and schedules the next.
func (s *Session) failed(err error, now time.Time) {
	s.st.reconnectFailed()
	d, giveUp := s.conn.failed(now)
	if giveUp {
		s.broken(fmt.Errorf("%d reconnect attempts failed, the last: %w", s.conn.attempts, err))
		return
	}
	s.log.Warn("chat: reconnect failed", "attempt", s.conn.attempts, "retry_in", d, "err", err)
}

// backoff is the delay before attempt n+1 (see connector.backoff); gap
// fills use it too.
func (s *Session) backoff(n int) time.Duration { return s.conn.backoff(n) }

func (s *Session) subscribe(sk *sock, now time.Time) {
	s.conn.subscribing(sk, now)
	s.write(sk, subscribeFrame)
}

func (s *Session) candidateFailed(err error, now time.Time) {
	s.kill(s.conn.dropCandidate())
	s.connectFailed(err, now)
}

// promote makes a subscribed socket the session's socket.
func (s *Session) promote(sk *sock, now time.Time) {
	old, p := s.conn.promote(sk, now)
	s.beat(sk, now)
	switch p {
	case promotedRotated:
		s.retire(old, "rotated")
		s.st.rotated()
		s.log.Info("chat: WebSocket rotated", "socket", sk.n, "url", sk.where)
	case promotedFirst:
		s.publish(Event{Kind: KindConnectionEstablished, Time: now})
		s.ready <- nil
		s.log.Info("chat: connected", "socket", sk.n, "url", sk.where)
	case promotedReconnected:
		s.st.reconnected()
		s.publish(Event{Kind: KindConnectionReestablished, Time: now})
		s.log.Info("chat: reconnected", "socket", sk.n, "url", sk.where)
	}
	s.gapFill(now)
}

// beat sends both heartbeats and expects their answers by the next tick.
func (s *Session) beat(sk *sock, now time.Time) {
	if s.conn.beating(sk, now) {
		s.st.pingFailed()
		s.log.Warn("chat: aws/ping not answered", "socket", sk.n)
	}
	s.write(sk, heartbeatFrame)
	s.write(sk, pingFrame)
}

func (s *Session) onFrame(sk *sock, f *frame, now time.Time) {
	switch f.kind {
	case frameSubscribe:
		s.onSubscribed(sk, f, now)
	case frameHeartbeat:
		sk.hbWait = false
	case framePing:
		sk.pingWait = false
		if !f.pingOK {
			s.st.pingFailed()
			s.log.Warn("chat: aws/ping failed", "socket", sk.n)
		}
	case frameError:
		if sk == s.conn.candidate {
			s.log.Debug("chat: subscribe refused", "socket", sk.n, "reason", f.message)
			s.conn.refused(sk, now)
			return
		}
		// Only a heartbeat reply shows the socket is alive: an error
		// frame may come from a gateway whose backend is gone.
		s.log.Warn("chat: error frame", "socket", sk.n, "message", f.message)
	case frameBadItem:
		s.log.Debug("chat: aws/chat frame whose content is not an item; ignored", "socket", sk.n)
	case frameChat:
		s.onItem(sk, f, now)
	}
}

// onSubscribed handles the answer to a subscribe.
func (s *Session) onSubscribed(sk *sock, f *frame, now time.Time) {
	switch {
	case sk != s.conn.candidate:
	case strings.EqualFold(f.status, "success"):
		s.promote(sk, now)
	default:
		s.log.Debug("chat: subscribe refused", "socket", sk.n, "reason", f.status)
		s.conn.refused(sk, now)
	}
}

// onItem hands an item from a socket to the engine.
func (s *Session) onItem(sk *sock, f *frame, now time.Time) {
	if sk.dead {
		return
	}
	if s.contactID == "" {
		if id := f.item.it.InitialContactID; id != "" {
			// The logger is fixed at start (other goroutines read it):
			// the contact is logged once instead.
			s.contactID = id
			s.log.Info("chat: contact", "contact", id)
		}
	}
	s.eng.add(f.item, now)
}

func (s *Session) onDown(sk *sock, err error, now time.Time) {
	switch {
	case s.conn.forget(sk):
	case sk == s.conn.candidate:
		s.candidateFailed(fmt.Errorf("chat: WebSocket closed before the subscribe was acknowledged: %w", err), now)
	case sk == s.conn.primary:
		s.lose(err, now)
	}
}

// lose gives up the session's socket and starts replacing it.
func (s *Session) lose(cause error, now time.Time) {
	sk, first, k := s.conn.lost(now)
	s.kill(sk)
	s.met.lost(cause)
	s.cancelGap()
	if s.leaving {
		s.finish(ErrDisconnected)
		return
	}
	// Offline, nothing is released: what waits in the reorder buffer may
	// have earlier items the gap fill will find.
	s.owe(now)
	if first {
		s.publish(Event{Kind: KindConnectionLost, Time: now, Err: cause})
		s.log.Info("chat: connection lost", "socket", sk.n, "err", cause)
	}
	switch k {
	case lossAttempt:
		// Dropped right after its subscribe: a failed attempt, backed off.
		s.failed(fmt.Errorf("chat: WebSocket lost %v after its subscription: %w", now.Sub(sk.subscribedAt).Round(time.Millisecond), cause), now)
	case lossConnect:
		// The socket lived: the first attempt to replace it goes at once.
		s.startConnect()
	}
}

// retire closes a socket that a newer one replaced, with the close
// handshake, in a goroutine of its own. Its frames until then are still
// read (and deduplicated).
func (s *Session) retire(sk *sock, reason string) {
	// The close handshake waits for the peer: not in a lane, whose calls
	// (the rotation's gap fill) must not wait for it. Close ends it at once
	// (its context is the session's).
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = sk.conn.Close(websocket.StatusNormalClosure, reason)
		sk.cancel()
	}()
}

// owe records that a gap fill is owed (after a loss, a connect or a
// rotation) and holds the engine's releases until one succeeds (see
// gapFiller).
//
// The hold is bounded in time: after maxHold, what waits goes out (and an
// earlier item a later gap fill finds is delivered late, marked), so a
// transcript that cannot be read never holds live items forever.
func (s *Session) owe(now time.Time) {
	if !s.eng.hold {
		s.gap.holdUntil = now.Add(maxHold)
	}
	s.eng.hold = true
	// Nothing delivered and no floor: the whole transcript (with
	// NoHistory, it was empty before the connect, so all of it is new).
	s.gap.owe(s.eng.anchor(s.cfg.GapFillOverlap))
}

// gapFill reads the transcript from the owed anchor, or the whole
// transcript when nothing was delivered yet, and holds the engine's
// releases until it is merged. A read under way is cancelled when its
// socket is lost (cancelGap).
func (s *Session) gapFill(now time.Time) {
	s.owe(now)
	gen, mode, anchor, ok := s.gap.begin()
	if !ok {
		return
	}
	tok := s.ConnectionToken()
	ctx, cancel := context.WithCancel(s.ctx)
	s.gapStop = cancel
	s.push(&s.gapLane, func(context.Context) completion {
		r := s.fetch(ctx, tok, mode, anchor)
		return func(now time.Time) {
			if s.gap.current(gen) {
				s.onGap(r, now)
			} // else cancelled: its socket was lost (see cancelGap)
		}
	})
}

// cancelGap cancels the gap fill under way, if any: its socket is lost, so
// the fill the next socket owes replaces it, and nothing waits for it.
func (s *Session) cancelGap() {
	if s.gap.cancel() {
		s.stopGap()
	}
}

// stopGap ends the gap fill's context and lets it go (an idle session
// keeps none).
func (s *Session) stopGap() {
	s.gapStop()
	s.gapStop = nil
}

func (s *Session) onGap(r gapResult, now time.Time) {
	s.stopGap()
	if r.err != nil {
		s.met.gapFailed(r.pages)
	}
	switch {
	case r.err == nil:
		s.met.gapRead(r.pages)
		s.gapFilled(r.items, now)
	case isAccessDenied(r.err) && s.leaving:
		// DisconnectParticipant ended the token: the chat.ended that
		// comes, or DisconnectWait, ends the session. Should Disconnect
		// fail, the read is tried again.
		s.gap.denied()
	case isAccessDenied(r.err):
		// An expired ConnectionToken, or the chat ended: only
		// CreateParticipantConnection tells which. The gap fill runs
		// again with the new token.
		s.log.Info("chat: transcript read refused (403); refreshing the ConnectionToken", "err", r.err)
		s.gap.denied()
		s.startRefresh()
	default:
		d := s.backoff(s.gap.attempts + 1)
		s.gap.failed(now, d)
		s.log.Warn("chat: transcript read failed; releases stay held", "attempt", s.gap.attempts, "retry_in", d, "err", r.err)
	}
}

// gapFilled merges a transcript read.
func (s *Session) gapFilled(items []incoming, now time.Time) {
	s.st.gapFill()
	before := s.st.gapFilled.Load()
	var last time.Time
	if n := len(items); n > 0 {
		last = items[n-1].it.AbsoluteTime.Time
	}
	// Another fill is owed if the socket was lost, or replaced, meanwhile.
	again := s.gap.succeeded(last, s.conn.primary == nil)
	s.eng.merge(items, now, again)
	s.log.Debug("chat: gap filled", "read", len(items), "new", s.st.gapFilled.Load()-before)
	if again && s.conn.primary != nil {
		s.gapFill(now)
	}
}

// startRefresh refreshes the ConnectionToken now (after a 403), unless a
// refresh is under way.
func (s *Session) startRefresh() {
	if s.refresh.start() {
		s.refreshToken()
	}
}

// refreshToken asks the connection lane for a new ConnectionToken.
func (s *Session) refreshToken() {
	s.push(&s.connLane, func(ctx context.Context) completion {
		r := s.newToken(ctx)
		return func(now time.Time) { s.onRefresh(r, now) }
	})
}

func (s *Session) onRefresh(r refreshResult, now time.Time) {
	if r.err != nil {
		if isAccessDenied(r.err) && s.leaving {
			s.refresh.abandoned()
			return // the participant left: expected
		}
		if isAccessDenied(r.err) {
			s.refresh.abandoned()
			s.endedOffline(r.err, now)
			return
		}
		d := s.refresh.failed(now, s.Checkpoint().ConnectionExpiry)
		s.log.Warn("chat: ConnectionToken refresh failed", "retry_in", d, "err", r.err)
		return
	}
	s.setToken(r.token, r.expiry)
	s.st.tokenRefreshed()
	s.requeueReceipts()
	s.refresh.succeeded(r.expiry, now)
	s.log.Info("chat: ConnectionToken refreshed", "expires", r.expiry)
	if s.gap.refreshed() && s.conn.primary != nil {
		s.gapFill(now)
	}
}

// receipts returns the receipt queue, made at the first use: a session
// that sends no receipt keeps none.
func (s *Session) receipts() *receiptQueue {
	if s.rq == nil {
		q := newReceiptQueue(s.cfg.Receipts, s.cfg.RecentIDs)
		s.rq = &q
	}
	return s.rq
}

// sendReceipts hands the receipts due at now to the misc lane, one batch
// at a time.
func (s *Session) sendReceipts(now time.Time, force bool) {
	q := s.rq
	if q == nil || q.busy || len(q.refused) > 0 {
		return
	}
	batch, next := q.due(now, force)
	q.at = next
	if len(batch) == 0 {
		return
	}
	q.busy = true
	tok := s.ConnectionToken()
	s.push(&s.miscLane, func(ctx context.Context) completion {
		r := s.sendBatch(ctx, tok, batch)
		return func(now time.Time) { s.onReceipts(r, now) }
	})
}

func (s *Session) onReceipts(r receiptsResult, now time.Time) {
	s.rq.busy = false
	if len(r.unsent) > 0 {
		// An expired ConnectionToken, or the chat ended: the refresh
		// tells which. The receipts wait for it (and no batch goes out
		// meanwhile), then go out again.
		s.rq.refused = append(s.rq.refused, r.unsent...)
		s.startRefresh()
	}
}

// requeueReceipts queues again, after a token refresh, the receipts refused
// with 403. One refused too often is counted as failed and logged.
func (s *Session) requeueReceipts() {
	if s.rq == nil || len(s.rq.refused) == 0 {
		return
	}
	refused := s.rq.refused
	s.rq.refused = nil
	failed := s.rq.requeue(refused)
	s.st.receiptsRequeuedN(len(refused) - len(failed))
	for _, r := range failed {
		s.st.receiptFailed()
		s.log.Warn("chat: receipt refused with 403 after token refreshes; given up", "message", r.messageID, "tries", r.tries)
	}
}

// request runs an application's request.
func (s *Session) request(r request, now time.Time) {
	switch r.kind {
	case reqRead:
		if !s.leaving {
			s.receipts().askRead(r.id)
		}
	case reqDelivered:
		if !s.leaving {
			s.receipts().askDelivered(r.id, now)
		}
	case reqDisconnect:
		if s.leaving {
			r.done <- errors.New("chat: Disconnect already under way")
			return
		}
		s.leaving = true
		// The receipts asked for so far go first (the worker runs calls
		// in order); none after.
		s.sendReceipts(now, true)
		tok := s.ConnectionToken()
		done := r.done
		s.push(&s.miscLane, func(ctx context.Context) completion {
			ctx, cancel := context.WithTimeout(ctx, callTimeout)
			_, err := s.client.DisconnectParticipant(ctx, &participant.DisconnectParticipantInput{ConnectionToken: tok}, s.met.calls()...)
			cancel()
			return func(now time.Time) { s.onDisconnected(err, done, now) }
		})
	}
}

func (s *Session) onDisconnected(err error, done chan error, now time.Time) {
	if err != nil && !isAccessDenied(err) {
		s.leaving = false
		done <- err
		if (s.gap.refreshed() || s.gap.state == gapOwed) && s.conn.primary != nil {
			s.gapFill(now) // one refused while leaving
		}
		return
	}
	done <- err
	s.receipts().close()
	// The participant left: its ConnectionToken reads no transcript any
	// more, so no gap fill can succeed. What waits goes out now, and the
	// chat.ended that comes is delivered at once.
	s.cancelGap()
	s.gap.clear()
	s.eng.flushAll(now)
	s.log.Info("chat: disconnected; waiting for chat.ended", "wait", s.cfg.DisconnectWait)
	if s.conn.primary == nil || s.cfg.DisconnectWait == 0 || err != nil {
		s.finish(ErrDisconnected)
		return
	}
	s.leaveBy = now.Add(s.cfg.DisconnectWait)
}

// chatEnded ends the session after the chat.ended event was delivered.
func (s *Session) chatEnded() {
	s.receipts().close()
	s.log.Info("chat: ended")
	s.finish(ErrChatEnded)
}

// endedOffline ends the session after a 403 from CreateParticipantConnection
// (the participant token worked before, so the chat ended): what was
// waiting is delivered, with the chat.ended that came if one did, else a
// made-up one. There is exactly one KindChatEnded, the last event.
func (s *Session) endedOffline(err error, now time.Time) {
	s.eng.flushAll(now)
	s.release(now)
	if !s.eng.ended {
		s.eng.ended = true
		s.publish(Event{
			Kind: KindChatEnded,
			Item: participant.Item{Type: participant.ChatItemTypeEvent, ContentType: wire.ContentTypeChatEnded, AbsoluteTime: participant.Time{Time: now}},
			Time: now,
			Err:  err,
		})
	}
	s.receipts().close()
	for _, r := range s.rq.refused {
		s.st.receiptFailed()
		s.log.Warn("chat: receipt refused with 403; the chat has ended", "message", r.messageID)
	}
	s.rq.refused = nil
	s.log.Info("chat: ended while offline (403)", "err", err)
	s.finish(ErrChatEnded)
}

func (s *Session) broken(err error) {
	s.publish(Event{Kind: KindConnectionBroken, Time: time.Now(), Err: err})
	s.log.Warn("chat: connection broken; giving up", "err", err)
	s.finish(fmt.Errorf("%w: %w", ErrBroken, err))
}

// shutdown runs once, when the session is over: every socket closes (the
// session's own with the close handshake, in the worker, after the chat
// ended or the participant left), the goroutines are told to stop, and
// Disconnect is released. s.lmu is held.
func (s *Session) shutdown() {
	if s.down {
		return
	}
	s.down = true
	s.timer.Stop()
	s.met.end(&s.st, s.endError())
	s.mu.Lock()
	polite := errors.Is(s.term, ErrChatEnded) || errors.Is(s.term, ErrDisconnected)
	s.mu.Unlock()
	p := s.conn.primary
	socks := s.conn.all()
	closeAll := func() {
		s.cancel()
		for _, sk := range socks {
			if sk != nil {
				s.kill(sk)
			}
		}
	}
	if p != nil && polite && s.ctx.Err() == nil {
		s.push(&s.miscLane, func(context.Context) completion {
			_ = p.conn.Close(websocket.StatusNormalClosure, "")
			closeAll()
			return nil
		})
	} else {
		closeAll()
	}
	close(s.done)
	s.signal()
}

func isAccessDenied(err error) bool {
	var ad *participant.AccessDeniedError
	return errors.As(err, &ad)
}
