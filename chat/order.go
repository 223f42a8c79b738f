package chat

import (
	"encoding/binary"
	"encoding/json"
	"hash/fnv"
	"slices"
	"time"
	"unsafe"

	"github.com/connectchat/participant"
)

// key orders items the way the service does: by AbsoluteTime, then in the
// order the service gave them (their position in a transcript page, or
// their arrival on the socket), which seq records; except that chat.ended,
// which is terminal, comes after the other items of its millisecond. An
// item's seq is given when the engine first sees it, and a gap fill
// reorders the seqs of one millisecond to the transcript's order.
type key struct {
	t     time.Time
	final bool // chat.ended
	seq   uint64
}

func isEnd(in *incoming) bool { return !in.past && classify(&in.it) == KindChatEnded }

func (a key) less(b key) bool {
	if c := a.t.Compare(b.t); c != 0 {
		return c < 0
	}
	if a.final != b.final {
		return b.final
	}
	return a.seq < b.seq
}

func (a key) isZero() bool { return a.t.IsZero() && a.seq == 0 }

// pend is an item waiting in the engine's reorder buffer.
type pend struct {
	key     key
	id      itemID // in.it.ID's
	in      incoming
	arrived time.Time // zero for transcript items: ready at once
	// A streamed bot message: waiting is set while its chunks come in
	// (only when chunks are not streamed to the application); last is
	// when the latest chunk came.
	waiting bool
	last    time.Time
}

// maxStitched caps a stitched bot message: chunks beyond it are ignored
// (the message so far is delivered, Partial set, and the completed item,
// which carries the whole text, replaces it as an update). Far above a real
// message (an item's content holds 16,384 characters; a streamed answer a
// few times that).
const maxStitched = 32 << 20

// chunkState stitches the chunks of a streamed bot message.
type chunkState struct {
	p *pend // its entry in the buffer; nil once released
	// buf holds the chunks so far, in order. It is only ever appended to,
	// so the strings text returns, which share its bytes, never change:
	// stitching costs O(total size), not a copy of the message per chunk.
	buf      []byte
	next     int  // the chunk number expected next
	released bool // a partial version was delivered
	capped   bool // maxStitched reached: later chunks are ignored
	t        time.Time
}

// text returns the chunks so far, without a copy (see buf).
func (st *chunkState) text() string {
	return unsafe.String(unsafe.SliceData(st.buf), len(st.buf))
}

// ring is the FIFO of delivered ids, oldest first, that bounds the engine's
// memory of ids. An entry holds no pointer (t is t's instant, see
// instantOf), so that a session's memory of ids costs the garbage
// collector nothing to mark.
type ringEntry struct {
	id itemID
	t  instant
}

// instant is a time.Time without its location: seconds and nanoseconds
// since the Unix epoch, good for any year.
type instant struct {
	sec  int64
	nsec int64
}

func instantOf(t time.Time) instant { return instant{t.Unix(), int64(t.Nanosecond())} }

func (i instant) time() time.Time { return time.Unix(i.sec, i.nsec).UTC() }

// engineConfig is the part of Options the engine uses.
type engineConfig struct {
	window       time.Duration // <0: release at once
	recentIDs    int
	streamChunks bool
	chunkTimeout time.Duration
}

// engine turns items, from the WebSocket and from transcript pages,
// into events: each item once (by Id), in key order (AbsoluteTime, then the
// order the service gave them; see key), except items that arrive after a
// later one was delivered, which go out at once marked Late; later
// versions of an item as updates, bot chunks stitched.
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
// is forgotten, the floor rises to its AbsoluteTime (floorIDs keeps the
// forgotten ids of the floor's own millisecond), and an unknown item below
// the floor, or one of floorIDs, is taken for a forgotten duplicate and
// dropped. The session starts gap fills no earlier than the floor, so they
// never need what was forgotten.
//
// While hold is set, at most maxHeld items wait; beyond that the oldest
// are released (see maxHeld).
type engine struct {
	cfg engineConfig

	seen     map[itemID]uint64 // fingerprint by id: pending and delivered items
	ring     []ringEntry
	floor    time.Time
	floorIDs map[itemID]struct{} // delivered ids at floor's millisecond
	resumeID string              // the item a Resume (or NoHistory) starts after
	mark     key                 // the greatest key delivered in order
	seq      uint64              // the last seq given
	pending  []*pend
	chunks   map[itemID]*chunkState
	hold     bool
	ended    bool // chat.ended was delivered

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

// maxHeld bounds what waits while releases are held (a gap fill owed and
// not yet done): beyond it, the oldest items are released, and an earlier
// item the gap fill finds afterwards is delivered late (Stats.LateItems),
// still once. It is about ten minutes of a busy chat.
const maxHeld = 4096

// belowFloor reports whether an unknown item is taken for one delivered
// and forgotten (or, after Resume, delivered before).
func (e *engine) belowFloor(it *participant.Item) bool {
	if e.floor.IsZero() {
		return false
	}
	if it.AbsoluteTime.Before(e.floor) {
		return true
	}
	if !it.AbsoluteTime.Equal(e.floor) {
		return false
	}
	_, ok := e.floorIDs[idOf(it.ID)]
	return ok
}

// raiseFloor records a delivered item at t as forgotten.
func (e *engine) raiseFloor(t time.Time, id itemID) {
	switch {
	case t.After(e.floor):
		e.floor = t
		e.floorIDs = map[itemID]struct{}{id: {}}
	case t.Equal(e.floor):
		if e.floorIDs == nil {
			e.floorIDs = map[itemID]struct{}{}
		}
		e.floorIDs[id] = struct{}{}
	}
}

// startAfter makes the engine take it, and everything before it, as
// delivered: a Resume's last item, or the newest item before a NoHistory
// connect. The first transcript read places the items of its millisecond.
func (e *engine) startAfter(t time.Time, id string) {
	e.raiseFloor(t, idOf(id))
	e.resumeID = id
	if k := (key{t: t}); e.mark.less(k) {
		e.mark = k
	}
}

// maxAhead is how far ahead of the session's clock an item's AbsoluteTime
// is believed. An item stamped later (a broken clock, the year 9999) is
// delivered, but ordered at its arrival: it never becomes the gap-fill
// anchor, the floor, or the mark that would make every later item late.
const maxAhead = 5 * time.Minute

// nextKey gives an item seen for the first time at now its key.
func (e *engine) nextKey(in *incoming, now time.Time) key {
	e.seq++
	t := in.it.AbsoluteTime.Time
	if !now.IsZero() && t.After(now.Add(maxAhead)) {
		t = now
	}
	return key{t: t, final: isEnd(in), seq: e.seq}
}

// add takes one item in, and returns its entry in the buffer when it is
// waiting there.
func (e *engine) add(in incoming, now time.Time) *pend {
	it := &in.it
	if e.ended {
		return nil
	}
	if it.ID == "" {
		// Nothing to deduplicate or order by: pass it on at once.
		e.emit(in, now, false, false)
		return nil
	}
	if e.seen == nil {
		e.seen = map[itemID]uint64{}
	}
	id := idOf(it.ID)
	if it.Type == participant.ChatItemTypeMessage && (in.incomplete || e.chunks[id] != nil) {
		return e.addChunk(in, now)
	}
	fp := fingerprint(it)
	if old, ok := e.seen[id]; ok {
		return e.addKnown(in, id, old, fp, now)
	}
	if e.belowFloor(it) {
		// Unknown, and delivered long ago and forgotten (or, after
		// Resume, delivered before).
		e.st.duplicate()
		return nil
	}
	return e.addNew(in, id, fp, now)
}

// addKnown takes in an item whose id was seen, with fingerprint old
// then and fp now: a copy is dropped, a changed version waiting replaces
// the first, one delivered goes out as an update.
func (e *engine) addKnown(in incoming, id itemID, old, fp uint64, now time.Time) *pend {
	p := e.pendingByID(in.it.ID)
	switch {
	case old == fp:
		e.st.duplicate()
	case p != nil:
		// Not delivered yet: the newest version will be.
		p.in = keepFirst(p.in, in)
		e.seen[id] = fp
	default:
		e.seen[id] = fp
		e.st.update()
		e.emit(in, now, true, false)
	}
	return p
}

// addNew takes in an item seen for the first time.
func (e *engine) addNew(in incoming, id itemID, fp uint64, now time.Time) *pend {
	k := e.nextKey(&in, now)
	e.seen[id] = fp
	if in.fromTranscript {
		e.st.gapFilledItem()
	}
	if !e.mark.isZero() && k.less(e.mark) {
		// Later items are out already: deliver it now rather than never,
		// marked late.
		e.st.lateItem()
		e.remember(id, k)
		in.late = true
		e.emit(in, now, false, false)
		return nil
	}
	p := &pend{key: k, id: id, in: in, arrived: now}
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
	return p
}

// keepFirst returns the newer version of a pending item with the flags of
// the first (a socket item's raw JSON is kept if the newer came from a
// transcript page).
func keepFirst(old, newer incoming) incoming {
	newer.it.AbsoluteTime = old.it.AbsoluteTime
	newer.past = newer.past || old.past
	newer.late = old.late
	if newer.raw == nil {
		newer.raw = old.raw
	}
	return newer
}

// addChunk stitches a chunk, or the completed item, of a streamed bot
// message. Chunks share the message's Id and count from ChunkNumber 1;
// out-of-order and repeated chunks are ignored; the completed item
// replaces them all and keeps the first chunk's AbsoluteTime.
func (e *engine) addChunk(in incoming, now time.Time) *pend {
	st := e.chunks[idOf(in.it.ID)]
	if st == nil {
		if st = e.startChunks(in, now); st == nil {
			return nil
		}
	}
	if in.incomplete {
		return e.appendChunk(st, in, now)
	}
	return e.completeChunks(st, in, now)
}

// startChunks begins the stitching of a message from its first item
// seen, or returns nil for a chunk of a message already complete (or
// forgotten).
func (e *engine) startChunks(in incoming, now time.Time) *chunkState {
	id := idOf(in.it.ID)
	if _, ok := e.seen[id]; ok || e.belowFloor(&in.it) {
		e.st.duplicate()
		return nil
	}
	k := e.nextKey(&in, now)
	st := &chunkState{next: 1, t: in.it.AbsoluteTime.Time}
	if e.chunks == nil {
		e.chunks = map[itemID]*chunkState{}
	}
	e.chunks[id] = st
	e.seen[id] = 0
	first := in
	first.it.Content = ""
	first.incomplete = true
	st.p = &pend{key: k, id: id, in: first, arrived: now, waiting: !e.cfg.streamChunks, last: now}
	if in.fromTranscript {
		st.p.arrived = time.Time{}
	}
	if !e.mark.isZero() && k.less(e.mark) {
		e.st.lateItem()
		st.p.arrived = time.Time{}
		st.p.in.late = true
	}
	e.insert(st.p)
	return st
}

// appendChunk adds a chunk to its message, in O(its size).
func (e *engine) appendChunk(st *chunkState, in incoming, now time.Time) *pend {
	n := in.chunk
	if n == 0 {
		n = st.next
	}
	if n != st.next || st.capped {
		e.st.duplicate()
		return st.p
	}
	st.next++
	if len(st.buf)+len(in.it.Content) > maxStitched {
		// Too long: deliver what came; the completed item follows.
		st.capped = true
		if st.p != nil {
			st.p.waiting = false
		}
		return st.p
	}
	if need := len(st.buf) + len(in.it.Content); need > cap(st.buf) {
		// Double (append grows large slices by only 1.25x: 5x the
		// final size in all, against 2x).
		st.buf = append(make([]byte, 0, max(need, 2*cap(st.buf))), st.buf...)
	}
	st.buf = append(st.buf, in.it.Content...)
	if st.p != nil {
		st.p.in.it.Content = st.text()
		st.p.last = now
		return st.p
	}
	// Already delivered as partial: deliver the progress.
	upd := in
	upd.it.Content = st.text()
	upd.it.AbsoluteTime = participant.Time{Time: st.t}
	e.st.update()
	e.emit(upd, now, true, true)
	return nil
}

// completeChunks takes the completed item of a streamed message: it
// replaces the chunks, or follows them as an update once they went out.
func (e *engine) completeChunks(st *chunkState, in incoming, now time.Time) *pend {
	id := idOf(in.it.ID)
	delete(e.chunks, id)
	in.it.AbsoluteTime = participant.Time{Time: st.t}
	e.seen[id] = fingerprint(&in.it)
	if p := st.p; p != nil {
		past, late := p.in.past, p.in.late
		p.in = in
		p.in.past = in.past || past
		p.in.late = late
		p.waiting = false
		return p
	}
	e.st.update()
	e.emit(in, now, true, false)
	return nil
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

// flush releases what is ready at now: every item up to the greatest key
// that is ready. While hold is set nothing is ready, except the oldest
// items beyond maxHeld.
func (e *engine) flush(now time.Time) {
	if len(e.pending) == 0 {
		return
	}
	if e.hold {
		if n := len(e.pending) - maxHeld; n > 0 {
			e.releaseUpTo(e.pending[n-1].key, now, true)
		}
		return
	}
	var top key
	have := false
	for _, p := range e.pending {
		if e.ready(p, now) && (!have || top.less(p.key)) {
			top, have = p.key, true
		}
	}
	if have {
		e.releaseUpTo(top, now, false)
	}
}

// releaseUpTo releases the waiting items whose key is at most top, in
// order. A streamed message still coming stops it, unless force. When it
// reaches chat.ended, everything else waiting goes first, then chat.ended:
// it is always the last event.
func (e *engine) releaseUpTo(top key, now time.Time, force bool) {
	i := 0
	for ; i < len(e.pending); i++ {
		p := e.pending[i]
		if top.less(p.key) {
			break
		}
		if p.key.final {
			e.pending = slices.Delete(e.pending, 0, i)
			e.flushAll(now)
			return
		}
		if p.waiting {
			if !force && now.Before(p.last.Add(e.cfg.chunkTimeout)) {
				break // the rest of the message is coming
			}
			p.waiting = false // gave up waiting: deliver what came
		}
		e.release(p, now)
	}
	e.pending = slices.Delete(e.pending, 0, i)
}

// flushAll releases everything, whatever its age, chat.ended last.
func (e *engine) flushAll(now time.Time) {
	var ends []*pend
	for _, p := range e.pending {
		if p.key.final {
			ends = append(ends, p)
			continue
		}
		e.release(p, now)
	}
	for _, p := range ends {
		e.release(p, now)
	}
	e.pending = e.pending[:0]
	e.hold = false
}

func (e *engine) release(p *pend, now time.Time) {
	id := p.id
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

// remember records a delivered id, forgetting the oldest beyond the bound.
func (e *engine) remember(id itemID, k key) {
	e.ring = append(e.ring, ringEntry{id, instantOf(k.t)})
	limit := e.cfg.recentIDs
	if len(e.ring) <= limit {
		return
	}
	drop := len(e.ring) - limit
	for _, r := range e.ring[:drop] {
		if _, streaming := e.chunks[r.id]; !streaming {
			delete(e.seen, r.id)
		}
		e.raiseFloor(r.t.time(), r.id)
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
			ev.Late = in.late
			ev.FromPastSession = in.past
			if ev.Kind == KindOther && in.raw != nil {
				ev.Raw = in.raw
			}
			e.out = append(e.out, ev)
		}
		return
	}
	ev := Event{Kind: k, Item: it, Update: update, Partial: partial, Late: in.late, FromPastSession: in.past, ParticipantID: it.ParticipantID, Time: it.AbsoluteTime.Time}
	switch k {
	case KindOther:
		ev.Raw = in.raw
		if ev.Raw == nil {
			ev.Raw, _ = json.Marshal(it)
		}
	case KindChatEnded:
		e.ended = e.ended || !in.past
	}
	e.out = append(e.out, ev)
}

// merge takes in the items of a gap fill, in the transcript's order. The
// transcript is the service's order: the items of one millisecond are put
// in its order (their seqs exchanged), and it is complete up to its last
// item, so everything up to that item is released now. With keep, the
// hold goes on (another gap fill is owed); without, it ends.
func (e *engine) merge(items []incoming, now time.Time, keep bool) {
	e.placeResume(items)
	ps := make([]*pend, 0, len(items))
	for _, in := range items {
		in.fromTranscript = true
		if p := e.add(in, now); p != nil && !slices.Contains(ps, p) {
			ps = append(ps, p)
		}
	}
	resort := transcriptOrder(ps)
	if e.laterThanRead(ps) || resort {
		slices.SortFunc(e.pending, func(a, b *pend) int {
			if a.key.less(b.key) {
				return -1
			}
			if b.key.less(a.key) {
				return 1
			}
			return 0
		})
	}
	if !keep {
		e.hold = false
	} else if len(ps) > 0 {
		var top key
		for _, p := range ps {
			if top.less(p.key) {
				top = p.key
			}
		}
		e.releaseUpTo(top, now, false)
	}
	e.flush(now)
}

// placeResume handles the first read after Resume: what precedes the
// resume item in its millisecond was delivered before too.
func (e *engine) placeResume(items []incoming) {
	if e.resumeID == "" {
		return
	}
	if i := slices.IndexFunc(items, func(in incoming) bool { return in.it.ID == e.resumeID }); i >= 0 {
		for _, in := range items[:i] {
			if in.it.AbsoluteTime.Equal(e.floor) {
				e.raiseFloor(e.floor, idOf(in.it.ID))
			}
		}
	}
	e.resumeID = ""
}

// transcriptOrder gives the items of a read that share a millisecond
// their seqs in the transcript's order (exchanging them), and reports
// whether a key changed.
func transcriptOrder(ps []*pend) bool {
	changed := false
	for i := 0; i < len(ps); {
		j := i + 1
		for j < len(ps) && ps[j].key.t.Equal(ps[i].key.t) {
			j++
		}
		group := ps[i:j]
		i = j
		seqs := make([]uint64, len(group))
		for n, p := range group {
			seqs[n] = p.key.seq
		}
		if slices.IsSorted(seqs) {
			continue
		}
		slices.Sort(seqs)
		for n, p := range group {
			p.key.seq = seqs[n]
		}
		changed = true
	}
	return changed
}

// laterThanRead moves after the transcript's items the waiting items of
// the same milliseconds that the read did not return: they arrived live
// and happened after the read, so after everything it returned. It reports
// whether a key changed.
func (e *engine) laterThanRead(ps []*pend) bool {
	if len(ps) == 0 {
		return false
	}
	read := make(map[*pend]bool, len(ps))
	ms := make(map[int64]bool, len(ps))
	for _, p := range ps {
		read[p] = true
		ms[p.key.t.UnixNano()] = true
	}
	moved := false
	for _, p := range e.pending {
		if !read[p] && ms[p.key.t.UnixNano()] && !p.key.final {
			e.seq++
			p.key.seq = e.seq
			moved = true
		}
	}
	return moved
}

// deadline returns when flush next has something to do, or zero.
func (e *engine) deadline(now time.Time) time.Time {
	var d time.Time
	min := func(t time.Time) {
		if !t.IsZero() && (d.IsZero() || t.Before(d)) {
			d = t
		}
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
		if e.floor.IsZero() {
			return time.Time{}, false
		}
		return e.floor, true
	}
	t = e.mark.t.Add(-overlap)
	if !e.floor.IsZero() && t.Before(e.floor) {
		t = e.floor
	}
	return t, true
}

// take returns the events made so far and forgets them.
func (e *engine) take() []Event {
	out := e.out
	e.out = nil
	return out
}
