package chat

import (
	"encoding/binary"
	"encoding/json"
	"hash/fnv"
	"slices"
	"time"

	"github.com/connectchat/participant"
)

// key orders items: by AbsoluteTime, then by Id; except that chat.ended,
// which is terminal, comes after the other items of its millisecond.
type key struct {
	t     time.Time
	final bool // chat.ended
	id    string
}

func keyOf(it *participant.Item) key { return key{t: it.AbsoluteTime.Time, id: it.ID} }

// keyIn is the key of an incoming item: a chat.ended of the current
// contact is final; that of a past contact (a persistent chat's history)
// is not.
func keyIn(in *incoming) key {
	k := keyOf(&in.it)
	k.final = isEnd(in)
	return k
}

func isEnd(in *incoming) bool { return !in.past && classify(&in.it) == KindChatEnded }

func (a key) less(b key) bool {
	if c := a.t.Compare(b.t); c != 0 {
		return c < 0
	}
	if a.final != b.final {
		return b.final
	}
	return a.id < b.id
}

func (a key) isZero() bool { return a.t.IsZero() && a.id == "" }

// pend is an item waiting in the engine's reorder buffer.
type pend struct {
	key     key
	in      incoming
	arrived time.Time // zero for transcript items: ready at once
	// A streamed bot message: waiting is set while its chunks come in
	// (only when chunks are not streamed to the application); last is
	// when the latest chunk came.
	waiting bool
	last    time.Time
}

// chunkState stitches the chunks of a streamed bot message.
type chunkState struct {
	p        *pend  // its entry in the buffer; nil once released
	content  string // the chunks so far, in order
	next     int    // the chunk number expected next
	released bool   // a partial version was delivered
	t        time.Time
}

// typist is a participant whose typing indicator is on.
type typist struct {
	expires time.Time
	item    participant.Item
}

// ring is the FIFO of delivered ids, oldest first, that bounds the engine's
// memory of ids.
type ringEntry struct {
	id string
	k  key
}

// engineConfig is the part of Options the engine uses.
type engineConfig struct {
	window        time.Duration // <0: release at once
	recentIDs     int
	typingTimeout time.Duration // <=0: no KindTypingStopped
	streamChunks  bool
	chunkTimeout  time.Duration
}

// engine turns items, from the WebSocket and from transcript pages,
// into events: each item once (by Id), in (AbsoluteTime, Id) order, later
// versions of an item as updates, bot chunks stitched, typing expired.
// It does no I/O and reads no clock: the session gives it the time. It is
// guarded by the session's lmu, like the rest of its state machine.
//
// Live items wait in a reorder buffer until they are window old, so that a
// frame the network delivered late still takes its place; transcript items
// are ready at once. An item is released when some ready item has a key at
// least as great, so the delivered keys only grow. While hold is set (a gap
// fill is running) nothing is released.
//
// Ids of delivered items are remembered up to recentIDs of them; when one
// is forgotten, the floor rises to its key, and an unknown item at or below
// the floor is taken for a forgotten duplicate and dropped. The session
// starts gap fills no earlier than the floor, so they never need what was
// forgotten.
type engine struct {
	cfg engineConfig

	seen    map[string]uint64 // fingerprint by id: pending and delivered items
	ring    []ringEntry
	floor   key
	mark    key // the greatest key delivered in order
	pending []*pend
	chunks  map[string]*chunkState
	typing  map[string]typist
	hold    bool
	ended   bool // chat.ended was delivered

	out []Event
	st  *counters
}

func newEngine(cfg engineConfig, st *counters) *engine {
	return &engine{cfg: cfg, st: st}
}

// fingerprint summarizes the parts of an item that change between its
// versions: content, attachment statuses, processing status and receipts.
func fingerprint(it *participant.Item) uint64 {
	h := fnv.New64a()
	w := func(s string) {
		var n [4]byte
		binary.LittleEndian.PutUint32(n[:], uint32(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	w(string(it.Type))
	w(string(it.ContentType))
	w(it.Content)
	for _, a := range it.Attachments {
		w(a.AttachmentID)
		w(string(a.Status))
	}
	if md := it.MessageMetadata; md != nil {
		w(md.MessageID)
		w(string(md.MessageProcessingStatus))
		for _, r := range md.Receipts {
			w(r.RecipientParticipantID)
			w(r.DeliveredTimestamp.UTC().Format(time.RFC3339Nano))
			w(r.ReadTimestamp.UTC().Format(time.RFC3339Nano))
		}
	}
	return h.Sum64()
}

// add takes one item in.
func (e *engine) add(in incoming, now time.Time) {
	it := &in.it
	if e.ended {
		return
	}
	if it.ID == "" {
		// Nothing to deduplicate or order by: pass it on at once.
		e.emit(in, now, false, false)
		return
	}
	if e.seen == nil {
		e.seen = map[string]uint64{}
	}
	if it.Type == participant.ChatItemTypeMessage && (in.incomplete || e.chunks[it.ID] != nil) {
		e.addChunk(in, now)
		return
	}
	fp := fingerprint(it)
	if old, ok := e.seen[it.ID]; ok {
		if p := e.pendingByID(it.ID); p != nil {
			// Not delivered yet: the newest version will be.
			if old == fp {
				e.st.duplicates.Add(1)
			} else {
				p.in = keepFirst(p.in, in)
				e.seen[it.ID] = fp
			}
			return
		}
		if old == fp {
			e.st.duplicates.Add(1)
			return
		}
		e.seen[it.ID] = fp
		e.st.updates.Add(1)
		e.emit(in, now, true, false)
		return
	}
	k := keyIn(&in)
	if !e.floor.isZero() && !e.floor.less(k) {
		// At or below the floor and unknown: delivered long ago and
		// forgotten (or, after Resume, delivered before).
		e.st.duplicates.Add(1)
		return
	}
	e.seen[it.ID] = fp
	if in.fromTranscript {
		e.st.gapFilled.Add(1)
	}
	if !e.mark.isZero() && k.less(e.mark) {
		// Later items are out already: deliver it now rather than never.
		e.st.late.Add(1)
		e.remember(it.ID, k)
		e.emit(in, now, false, false)
		return
	}
	p := &pend{key: k, in: in, arrived: now}
	if in.fromTranscript {
		// The transcript is complete up to its last item: no need to wait.
		p.arrived = time.Time{}
	}
	e.insert(p)
	if k.final && !in.fromTranscript {
		// After chat.ended nothing is coming: nothing needs to wait.
		for _, q := range e.pending {
			q.arrived = time.Time{}
		}
	}
}

// keepFirst returns the newer version of a pending item with the flags of
// the first (a socket item's raw JSON is kept if the newer came from a
// transcript page).
func keepFirst(old, newer incoming) incoming {
	newer.it.AbsoluteTime = old.it.AbsoluteTime
	newer.past = newer.past || old.past
	if newer.raw == nil {
		newer.raw = old.raw
	}
	return newer
}

// addChunk stitches a chunk, or the completed item, of a streamed bot
// message. Chunks share the message's Id and count from ChunkNumber 1;
// out-of-order and repeated chunks are ignored; the completed item
// replaces them all and keeps the first chunk's AbsoluteTime.
func (e *engine) addChunk(in incoming, now time.Time) {
	id := in.it.ID
	st := e.chunks[id]
	if st == nil {
		if _, ok := e.seen[id]; ok {
			// A chunk of a message already complete.
			e.st.duplicates.Add(1)
			return
		}
		k := keyOf(&in.it)
		if !e.floor.isZero() && !e.floor.less(k) {
			e.st.duplicates.Add(1)
			return
		}
		st = &chunkState{next: 1, t: in.it.AbsoluteTime.Time}
		if e.chunks == nil {
			e.chunks = map[string]*chunkState{}
		}
		e.chunks[id] = st
		e.seen[id] = 0
		first := in
		first.it.Content = ""
		first.incomplete = true
		st.p = &pend{key: k, in: first, arrived: now, waiting: !e.cfg.streamChunks, last: now}
		if in.fromTranscript {
			st.p.arrived = time.Time{}
		}
		if !e.mark.isZero() && k.less(e.mark) {
			e.st.late.Add(1)
			st.p.arrived = time.Time{}
		}
		e.insert(st.p)
	}
	if in.incomplete {
		n := in.chunk
		if n == 0 {
			n = st.next
		}
		if n != st.next {
			e.st.duplicates.Add(1)
			return
		}
		st.next++
		st.content += in.it.Content
		if st.p != nil {
			st.p.in.it.Content = st.content
			st.p.last = now
			return
		}
		// Already delivered as partial: deliver the progress.
		upd := in
		upd.it.Content = st.content
		upd.it.AbsoluteTime = participant.Time{Time: st.t}
		e.st.updates.Add(1)
		e.emit(upd, now, true, true)
		return
	}
	delete(e.chunks, id)
	in.it.AbsoluteTime = participant.Time{Time: st.t}
	e.seen[id] = fingerprint(&in.it)
	if st.p != nil {
		past := st.p.in.past
		st.p.in = in
		st.p.in.past = in.past || past
		st.p.waiting = false
		return
	}
	e.st.updates.Add(1)
	e.emit(in, now, true, false)
}

func (e *engine) pendingByID(id string) *pend {
	// The buffer is short (what arrived within the reorder window): a scan
	// costs less than a second map.
	for i := len(e.pending) - 1; i >= 0; i-- {
		if e.pending[i].in.it.ID == id {
			return e.pending[i]
		}
	}
	return nil
}

func (e *engine) insert(p *pend) {
	n := len(e.pending)
	if n == 0 || e.pending[n-1].key.less(p.key) {
		e.pending = append(e.pending, p)
		return
	}
	i, _ := slices.BinarySearchFunc(e.pending, p.key, func(q *pend, k key) int {
		if q.key.less(k) {
			return -1
		}
		if k.less(q.key) {
			return 1
		}
		return 0
	})
	e.pending = slices.Insert(e.pending, i, p)
}

func (e *engine) ready(p *pend, now time.Time) bool {
	return e.cfg.window <= 0 || p.arrived.IsZero() || !now.Before(p.arrived.Add(e.cfg.window))
}

// flush releases what is ready at now.
func (e *engine) flush(now time.Time) {
	e.expireTyping(now)
	if e.hold || len(e.pending) == 0 {
		return
	}
	var top key
	have := false
	for _, p := range e.pending {
		if e.ready(p, now) && (!have || top.less(p.key)) {
			top, have = p.key, true
		}
	}
	if !have {
		return
	}
	i := 0
	for ; i < len(e.pending); i++ {
		p := e.pending[i]
		if top.less(p.key) {
			break
		}
		if p.waiting {
			if now.Before(p.last.Add(e.cfg.chunkTimeout)) {
				break // the rest of the message is coming
			}
			p.waiting = false // gave up waiting: deliver what came
		}
		e.release(p, now)
	}
	e.pending = slices.Delete(e.pending, 0, i)
	if e.ended {
		e.releaseRest(now)
	}
}

// flushAll releases everything, whatever its age.
func (e *engine) flushAll(now time.Time) {
	for _, p := range e.pending {
		e.release(p, now)
	}
	e.pending = e.pending[:0]
	e.hold = false
}

func (e *engine) release(p *pend, now time.Time) {
	id := p.in.it.ID
	partial := false
	if st := e.chunks[id]; st != nil && st.p == p {
		// Still streaming (StreamChunks, or ChunkTimeout passed).
		st.p, st.released, partial = nil, true, true
	}
	if e.mark.less(p.key) {
		e.mark = p.key
	}
	e.remember(id, p.key)
	e.emit(p.in, now, false, partial)
}

// releaseRest delivers what is still buffered after chat.ended (items
// stamped later than it), since the session stops at the end.
func (e *engine) releaseRest(now time.Time) {
	rest := e.pending
	e.pending = nil
	for _, p := range rest {
		e.release(p, now)
	}
}

// remember records a delivered id, forgetting the oldest beyond the bound.
func (e *engine) remember(id string, k key) {
	e.ring = append(e.ring, ringEntry{id, k})
	limit := e.cfg.recentIDs
	if len(e.ring) <= limit {
		return
	}
	drop := len(e.ring) - limit
	for _, r := range e.ring[:drop] {
		if _, streaming := e.chunks[r.id]; !streaming {
			delete(e.seen, r.id)
		}
		if e.floor.less(r.k) {
			e.floor = r.k
		}
	}
	// Shift in place once the dead prefix is as long as the live part, so
	// the backing array stays within twice the bound.
	e.ring = e.ring[drop:]
	if cap(e.ring) > 2*limit+16 {
		e.ring = append(make([]ringEntry, 0, limit+limit/2+1), e.ring...)
	}
}

// emit turns a released item into its events.
func (e *engine) emit(in incoming, now time.Time, update, partial bool) {
	it := in.it
	k := classify(&it)
	if isReceiptItem(&it) {
		for _, ev := range receiptsOf(it) {
			ev.Update = update
			ev.FromPastSession = in.past
			if ev.Kind == KindOther && in.raw != nil {
				ev.Raw = in.raw
			}
			e.out = append(e.out, ev)
		}
		return
	}
	ev := Event{Kind: k, Item: it, Update: update, Partial: partial, FromPastSession: in.past, ParticipantID: it.ParticipantID, Time: it.AbsoluteTime.Time}
	switch k {
	case KindOther:
		ev.Raw = in.raw
		if ev.Raw == nil {
			ev.Raw, _ = json.Marshal(it)
		}
	case KindTyping:
		if e.cfg.typingTimeout > 0 && it.ParticipantID != "" && !in.past {
			if e.typing == nil {
				e.typing = map[string]typist{}
			}
			e.typing[it.ParticipantID] = typist{expires: now.Add(e.cfg.typingTimeout), item: it}
		}
	case KindMessage, KindAttachment:
		if !update {
			e.stopTyping(it.ParticipantID, now)
		}
	case KindChatEnded:
		e.ended = e.ended || !in.past
	}
	e.out = append(e.out, ev)
}

func (e *engine) stopTyping(pid string, now time.Time) {
	t, ok := e.typing[pid]
	if !ok {
		return
	}
	delete(e.typing, pid)
	e.out = append(e.out, Event{Kind: KindTypingStopped, Item: t.item, ParticipantID: pid, Time: now})
}

// expireTyping reports the typists whose indicator timed out.
func (e *engine) expireTyping(now time.Time) {
	if len(e.typing) == 0 {
		return
	}
	var gone []string
	for pid, t := range e.typing {
		if !now.Before(t.expires) {
			gone = append(gone, pid)
		}
	}
	slices.Sort(gone) // a stable order for simultaneous expiries
	for _, pid := range gone {
		e.stopTyping(pid, now)
	}
}

// merge takes in the items of a gap fill and ends the hold: the transcript
// is complete up to its last item, so every item up to it is released now.
func (e *engine) merge(items []incoming, now time.Time) {
	for _, in := range items {
		in.fromTranscript = true
		e.add(in, now)
	}
	e.hold = false
	e.flush(now)
}

// deadline returns when flush next has something to do, or zero.
func (e *engine) deadline(now time.Time) time.Time {
	var d time.Time
	min := func(t time.Time) {
		if !t.IsZero() && (d.IsZero() || t.Before(d)) {
			d = t
		}
	}
	for _, t := range e.typing {
		min(t.expires)
	}
	if e.hold {
		return d
	}
	for _, p := range e.pending {
		if !e.ready(p, now) {
			min(p.arrived.Add(e.cfg.window))
		}
		if p.waiting {
			min(p.last.Add(e.cfg.chunkTimeout))
		}
	}
	if d.IsZero() && len(e.pending) > 0 {
		// Everything is ready but nothing was released (flush not run
		// since): run it at once.
		return now
	}
	return d
}

// anchor returns where a gap fill starts: overlap before the last item
// delivered, but not below the floor. ok is false when nothing was
// delivered yet: the gap fill then reads the whole transcript.
func (e *engine) anchor(overlap time.Duration) (t time.Time, ok bool) {
	if e.mark.isZero() {
		if e.floor.isZero() {
			return time.Time{}, false
		}
		return e.floor.t, true
	}
	t = e.mark.t.Add(-overlap)
	if !e.floor.isZero() && t.Before(e.floor.t) {
		t = e.floor.t
	}
	return t, true
}

// take returns the events made so far and forgets them.
func (e *engine) take() []Event {
	out := e.out
	e.out = nil
	return out
}
