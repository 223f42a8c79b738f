package chat

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/internal/wire"
)

var t0 = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

// at returns t0 plus ms milliseconds.
func at(ms int) participant.Time {
	return participant.Time{Time: t0.Add(time.Duration(ms) * time.Millisecond)}
}

func msg(id string, ms int, content string) incoming {
	return incoming{it: participant.Item{ID: id, Type: participant.ChatItemTypeMessage, ContentType: participant.ContentTypePlainText, Content: content, AbsoluteTime: at(ms), ParticipantID: "agent"}}
}

func chunk(id string, ms, n int, content string) incoming {
	in := msg(id, ms, content)
	in.it.ParticipantRole = participant.ParticipantRoleSystem
	in.incomplete, in.chunk = true, n
	return in
}

func newTestEngine(cfg engineConfig) (*engine, *counters) {
	if cfg.recentIDs == 0 {
		cfg.recentIDs = 1024
	}
	if cfg.chunkTimeout == 0 {
		cfg.chunkTimeout = 30 * time.Second
	}
	st := &counters{}
	return newEngine(cfg, st), st
}

// contents describes events as "Kind:content" with flags.
func contents(evs []Event) string {
	var b []string
	for _, ev := range evs {
		s := ev.Kind.String() + ":" + ev.Item.Content
		if ev.Update {
			s += "(update)"
		}
		if ev.Partial {
			s += "(partial)"
		}
		b = append(b, s)
	}
	return strings.Join(b, " ")
}

func TestEngineOrdersWithinTheWindow(t *testing.T) {
	t.Parallel()
	e, st := newTestEngine(engineConfig{window: 200 * time.Millisecond})
	now := t0
	e.add(msg("b", 20, "second"), now)
	e.add(msg("a", 10, "first"), now.Add(50*time.Millisecond)) // arrived late, within the window
	e.add(msg("a", 10, "first"), now.Add(60*time.Millisecond)) // a copy
	e.flush(now.Add(100 * time.Millisecond))
	got := e.take()
	require.Empty(t, got, "released before the window: %s", contents(got))
	d := e.deadline(now.Add(100 * time.Millisecond))
	assert.True(t, d.Equal(now.Add(200*time.Millisecond)), "deadline %v, want the first arrival plus the window", d.Sub(t0))
	e.flush(now.Add(200 * time.Millisecond))
	require.Equal(t, "Message:first Message:second", contents(e.take()))
	assert.EqualValues(t, 1, st.duplicates.Load(), "duplicates")
	assert.EqualValues(t, 0, st.late.Load(), "late")
	// Beyond the window: delivered anyway, counted late, never twice.
	e.add(msg("c", 5, "very late"), now.Add(time.Second))
	e.add(msg("c", 5, "very late"), now.Add(time.Second))
	require.Equal(t, "Message:very late", contents(e.take()))
	assert.EqualValues(t, 1, st.late.Load(), "late")
	assert.EqualValues(t, 2, st.duplicates.Load(), "duplicates")
}

// Items of one millisecond come in the service's order: their arrival,
// unless a transcript read says otherwise; never by Id.
func TestEngineTiesBreakByServiceOrder(t *testing.T) {
	t.Parallel()
	e, _ := newTestEngine(engineConfig{window: -1})
	e.hold = true
	e.add(msg("y", 10, "y"), t0)
	e.add(msg("x", 10, "x"), t0)
	e.merge(nil, t0, false)
	assert.Equal(t, "Message:y Message:x", contents(e.take()), "arrival order")

	e.hold = true
	e.add(msg("d", 11, "d"), t0)
	e.add(msg("b", 11, "b"), t0)
	// The transcript has a (missed on the socket), b, c (missed), d.
	e.merge([]incoming{msg("a", 11, "a"), msg("b", 11, "b"), msg("c", 11, "c"), msg("d", 11, "d")}, t0, false)
	assert.Equal(t, "Message:a Message:b Message:c Message:d", contents(e.take()), "transcript order")
}

// While a gap fill is owed, the hold holds at most maxHeld items: the
// oldest beyond are released.
func TestEngineHoldIsBounded(t *testing.T) {
	t.Parallel()
	e, _ := newTestEngine(engineConfig{window: -1})
	e.hold = true
	for i := range maxHeld + 3 {
		e.add(msg(fmt.Sprint(i), i+1, fmt.Sprint(i)), t0)
		e.flush(t0)
	}
	assert.Equal(t, "Message:0 Message:1 Message:2", contents(e.take()))
	assert.Len(t, e.pending, maxHeld)
}

// chat.ended is the last event, even before items stamped after it.
func TestEngineChatEndedLast(t *testing.T) {
	t.Parallel()
	e, _ := newTestEngine(engineConfig{window: -1})
	end := msg("end", 10, "")
	end.it.Type, end.it.ContentType = participant.ChatItemTypeEvent, wire.ContentTypeChatEnded
	e.add(end, t0)
	e.add(msg("later", 11, "later"), t0)
	e.flush(t0)
	assert.Equal(t, "Message:later ChatEnded:", contents(e.take()))
}

func TestEngineGapFillMergesAndReleases(t *testing.T) {
	t.Parallel()
	e, st := newTestEngine(engineConfig{window: 200 * time.Millisecond})
	e.add(msg("1", 1, "one"), t0)
	e.flush(t0.Add(time.Second))
	e.take()
	// The socket drops; meanwhile 2 and 3 were sent. The new socket brings
	// 4 before the transcript read returns 1 to 4.
	e.hold = true
	e.add(msg("4", 4, "four"), t0.Add(2*time.Second))
	e.flush(t0.Add(3 * time.Second))
	require.Empty(t, contents(e.take()), "released during the gap fill")
	anchor, ok := e.anchor(0)
	require.True(t, ok)
	require.True(t, anchor.Equal(at(1).Time), "anchor %v, want the last delivered item's time", anchor)
	e.merge([]incoming{msg("1", 1, "one"), msg("2", 2, "two"), msg("3", 3, "three"), msg("4", 4, "four")}, t0.Add(3*time.Second), false)
	assert.Equal(t, "Message:two Message:three Message:four", contents(e.take()))
	assert.EqualValues(t, 2, st.gapFilled.Load())
	assert.EqualValues(t, 2, st.duplicates.Load())
}

// A gap fill that another loss overtook releases only what its transcript
// covers; the hold goes on for the rest.
func TestEngineMergeKeepsHold(t *testing.T) {
	t.Parallel()
	e, _ := newTestEngine(engineConfig{window: -1})
	e.hold = true
	e.add(msg("3", 3, "three"), t0)
	e.add(msg("9", 9, "nine"), t0)
	e.merge([]incoming{msg("2", 2, "two"), msg("3", 3, "three")}, t0, true)
	assert.Equal(t, "Message:two Message:three", contents(e.take()))
	assert.True(t, e.hold)
	e.merge([]incoming{msg("8", 8, "eight")}, t0, false)
	assert.Equal(t, "Message:eight Message:nine", contents(e.take()))
}

// After Resume, the first transcript read places the items of the resume
// item's millisecond: those before it were delivered, those after are new.
func TestEngineResumeWithinMillisecond(t *testing.T) {
	t.Parallel()
	e, st := newTestEngine(engineConfig{window: -1})
	e.startAfter(at(5).Time, "b")
	e.hold = true
	e.merge([]incoming{msg("z", 4, "old"), msg("a", 5, "a"), msg("b", 5, "b"), msg("c", 5, "c"), msg("d", 6, "d")}, t0, false)
	assert.Equal(t, "Message:c Message:d", contents(e.take()))
	assert.EqualValues(t, 3, st.duplicates.Load())
}

func TestEngineUpdatesNotDuplicates(t *testing.T) {
	t.Parallel()
	e, st := newTestEngine(engineConfig{window: -1})
	att := func(status participant.ArtifactStatus) incoming {
		return incoming{it: participant.Item{ID: "f", Type: participant.ChatItemTypeAttachment, AbsoluteTime: at(1),
			Attachments: []participant.AttachmentItem{{AttachmentID: "att", AttachmentName: "a.pdf", Status: status}}}}
	}
	e.add(att(participant.ArtifactStatusInProgress), t0)
	e.flush(t0)
	e.add(att(participant.ArtifactStatusInProgress), t0)
	e.add(att(participant.ArtifactStatusApproved), t0)
	e.add(att(participant.ArtifactStatusApproved), t0)
	evs := e.take()
	require.Len(t, evs, 2, "events %+v, want the attachment then its approval as an update", evs)
	require.False(t, evs[0].Update, "events %+v, want the attachment then its approval as an update", evs)
	require.True(t, evs[1].Update, "events %+v, want the attachment then its approval as an update", evs)
	require.NotEmpty(t, evs[1].Item.Attachments, "events %+v, want the attachment then its approval as an update", evs)
	require.Equal(t, participant.ArtifactStatusApproved, evs[1].Item.Attachments[0].Status, "events %+v, want the attachment then its approval as an update", evs)
	assert.Equal(t, KindAttachment, evs[1].Kind, "update kind")
	assert.EqualValues(t, 2, st.duplicates.Load(), "duplicates")
	assert.EqualValues(t, 1, st.updates.Load(), "updates")

	// A message's receipts seen in a transcript read: an update.
	e.add(msg("m", 5, "hi"), t0)
	e.flush(t0)
	read := msg("m", 5, "hi")
	read.it.MessageMetadata = &participant.MessageMetadata{MessageID: "m", Receipts: []participant.Receipt{{ReadTimestamp: at(6), RecipientParticipantID: "cust"}}}
	e.merge([]incoming{read}, t0, false)
	evs = e.take()
	require.Len(t, evs, 2, "events %s, want the message then an update with its receipt", contents(evs))
	require.True(t, evs[1].Update, "events %s, want the message then an update with its receipt", contents(evs))
	require.NotNil(t, evs[1].Item.MessageMetadata, "events %s, want the message then an update with its receipt", contents(evs))
}

func TestEngineStitchesChunks(t *testing.T) {
	t.Parallel()
	e, st := newTestEngine(engineConfig{window: -1})
	e.add(chunk("bot", 10, 1, "Hel"), t0)
	e.add(msg("later", 20, "after the bot"), t0)
	e.add(chunk("bot", 11, 2, "lo, "), t0)
	e.add(chunk("bot", 11, 2, "lo, "), t0)  // repeated: ignored
	e.add(chunk("bot", 13, 4, "!!"), t0)    // out of order: ignored
	e.add(chunk("bot", 12, 3, "world"), t0) // in order
	e.flush(t0.Add(time.Second))
	got := e.take()
	require.Empty(t, got, "released while the bot message streams: %s", contents(got))
	final := msg("bot", 14, "Hello, world!")
	e.add(final, t0)
	e.add(chunk("bot", 15, 5, "late chunk"), t0) // after completion: a duplicate
	e.flush(t0.Add(time.Second))
	evs := e.take()
	require.Equal(t, "Message:Hello, world! Message:after the bot", contents(evs))
	assert.True(t, evs[0].Item.AbsoluteTime.Equal(at(10).Time), "stitched message at %v, want the first chunk's time", evs[0].Item.AbsoluteTime.Sub(t0))
	assert.EqualValues(t, 3, st.duplicates.Load(), "duplicates (repeated, out-of-order and late chunks)")
}

func TestEngineChunkTimeout(t *testing.T) {
	t.Parallel()
	e, _ := newTestEngine(engineConfig{window: -1, chunkTimeout: 5 * time.Second})
	e.add(chunk("bot", 10, 1, "Hel"), t0)
	e.add(msg("later", 20, "later"), t0)
	d := e.deadline(t0)
	assert.True(t, d.Equal(t0.Add(5*time.Second)), "deadline %v, want the chunk timeout", d.Sub(t0))
	e.flush(t0.Add(5 * time.Second))
	require.Equal(t, "Message:Hel(partial) Message:later", contents(e.take()))
	e.add(chunk("bot", 11, 2, "lo"), t0.Add(6*time.Second))
	e.add(msg("bot", 12, "Hello"), t0.Add(7*time.Second))
	require.Equal(t, "Message:Hello(update)(partial) Message:Hello(update)", contents(e.take()))
}

func TestEngineStreamChunks(t *testing.T) {
	t.Parallel()
	e, _ := newTestEngine(engineConfig{window: -1, streamChunks: true})
	e.add(chunk("bot", 10, 1, "Hel"), t0)
	e.flush(t0)
	e.add(chunk("bot", 11, 2, "lo"), t0)
	e.add(msg("later", 20, "later"), t0)
	e.add(msg("bot", 12, "Hello!"), t0)
	e.flush(t0)
	require.Equal(t, "Message:Hel(partial) Message:Hello(update)(partial) Message:Hello!(update) Message:later", contents(e.take()))
}

func TestEngineForgetsOldIDsSafely(t *testing.T) {
	t.Parallel()
	e, st := newTestEngine(engineConfig{window: -1, recentIDs: 10})
	for i := 1; i <= 30; i++ {
		e.add(msg(fmt.Sprint(i), i, fmt.Sprint(i)), t0)
		e.flush(t0)
	}
	e.take()
	require.LessOrEqual(t, len(e.seen), 10)
	require.LessOrEqual(t, len(e.ring), 10)
	// A gap fill never starts before the oldest remembered item...
	anchor, _ := e.anchor(time.Hour)
	assert.True(t, anchor.Equal(at(20).Time), "anchor %v, want the floor (item 20)", anchor.Sub(t0))
	// ...and a forgotten item read again is still a duplicate.
	e.merge([]incoming{msg("5", 5, "5"), msg("20", 20, "20"), msg("25", 25, "25"), msg("31", 31, "31")}, t0, false)
	assert.Equal(t, "Message:31", contents(e.take()))
	assert.EqualValues(t, 3, st.duplicates.Load())
}

func TestEngineChatEndedDoesNotWait(t *testing.T) {
	t.Parallel()
	e, _ := newTestEngine(engineConfig{window: time.Minute})
	e.add(msg("m", 1, "bye"), t0)
	// participant.left and chat.ended in one millisecond: the end is last,
	// whatever the ids.
	left := incoming{it: participant.Item{ID: "zz", Type: participant.ChatItemTypeEvent, ContentType: wire.ContentTypeParticipantLeft, AbsoluteTime: at(2)}}
	e.add(incoming{it: participant.Item{ID: "aa", Type: participant.ChatItemTypeEvent, ContentType: wire.ContentTypeChatEnded, AbsoluteTime: at(2)}}, t0)
	e.add(left, t0)
	e.flush(t0)
	require.Equal(t, "Message:bye ParticipantLeft: ChatEnded:", contents(e.take()))
	require.True(t, e.ended, "ended")
	e.add(msg("after", 3, "after"), t0)
	e.flush(t0.Add(time.Hour))
	got := e.take()
	assert.Empty(t, got, "items after chat.ended: %s", contents(got))
}

// Defect 4 of issue 17: stitching a 16 MiB message of 64 chunks allocates
// O(its size), not a copy of the message so far per chunk (745 MiB before).
func TestChunkStitchingLinear(t *testing.T) {
	const chunks, size = 64, 256 << 10
	part := strings.Repeat("x", size)
	e, _ := newTestEngine(engineConfig{})
	in := make([]incoming, chunks)
	for i := range in {
		in[i] = chunk("big", 0, i+1, part)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range in {
		e.add(in[i], t0)
	}
	done := msg("big", 0, "complete")
	e.add(done, t0)
	e.flush(t0)
	runtime.ReadMemStats(&after)
	evs := e.take()
	require.Len(t, evs, 1)
	assert.Equal(t, "complete", evs[0].Item.Content)
	alloc := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, alloc, uint64(3*chunks*size), "allocated %d MiB to stitch %d MiB", alloc>>20, chunks*size>>20)
}

// Chunks past maxStitched are ignored: the message so far goes out,
// Partial set, and the completed item follows as an update.
func TestChunkStitchingCapped(t *testing.T) {
	t.Parallel()
	part := strings.Repeat("y", maxStitched/2+1)
	e, _ := newTestEngine(engineConfig{})
	e.add(chunk("big", 0, 1, part), t0)
	e.add(chunk("big", 0, 2, part), t0)
	e.add(chunk("big", 0, 3, "z"), t0)
	e.flush(t0)
	evs := e.take()
	require.Len(t, evs, 1)
	assert.True(t, evs[0].Partial)
	assert.Len(t, evs[0].Item.Content, len(part))
	e.add(msg("big", 0, "whole"), t0)
	evs = e.take()
	require.Len(t, evs, 1)
	assert.True(t, evs[0].Update)
	assert.Equal(t, "whole", evs[0].Item.Content)
}

// Defect 7 of issue 17: by default (ReorderWindow 0) a live item goes out
// when it arrives, and one that arrives after a later item was delivered
// goes out at once, marked Late and counted.
func TestDefaultWindowDeliversAtOnce(t *testing.T) {
	t.Parallel()
	cfg := (&Options{}).withDefaults()
	require.Equal(t, time.Duration(0), cfg.ReorderWindow)
	e, st := newTestEngine(cfg.engine())
	e.add(msg("b", 20, "second"), t0)
	e.flush(t0)
	evs := e.take()
	require.Equal(t, "Message:second", contents(evs))
	assert.False(t, evs[0].Late)
	assert.True(t, e.deadline(t0).IsZero(), "nothing waits")
	e.add(msg("a", 10, "first"), t0.Add(time.Millisecond))
	e.flush(t0.Add(time.Millisecond))
	evs = e.take()
	require.Equal(t, "Message:first", contents(evs))
	assert.True(t, evs[0].Late)
	assert.Equal(t, int64(1), st.late.Load())
}

// A live item that waits during a gap fill and shares a millisecond with
// the transcript's items, but is not in it, happened after the read: it
// goes after them.
func TestMergePutsUnreadLiveItemsAfter(t *testing.T) {
	t.Parallel()
	e, _ := newTestEngine(engineConfig{})
	e.hold = true
	e.add(msg("live", 0, "L"), t0)
	e.merge([]incoming{msg("a", 0, "A"), msg("b", 0, "B")}, t0, false)
	assert.Equal(t, "Message:A Message:B Message:L", contents(e.take()))
}

// admit drops typing first, then refuses the batch.
func TestAdmit(t *testing.T) {
	t.Parallel()
	typing, stopped, message := Event{Kind: KindTyping}, Event{Kind: KindTypingStopped}, Event{Kind: KindMessage}
	for _, tc := range []struct {
		name          string
		queued, limit int
		evs           []Event
		kept, typing  int
		ok            bool
	}{
		{"fits", 8, 10, []Event{typing, message}, 2, 0, true},
		{"typing dropped", 9, 10, []Event{typing, message, stopped}, 1, 2, true},
		{"too many", 10, 10, []Event{typing, message}, 1, 1, false},
		{"only typing", 10, 10, []Event{typing}, 0, 1, true},
	} {
		kept, n, ok := admit(tc.queued, tc.limit, tc.evs)
		assert.Len(t, kept, tc.kept, tc.name)
		assert.Equal(t, tc.typing, n, tc.name)
		assert.Equal(t, tc.ok, ok, tc.name)
	}
}

// BenchmarkEngineRecentIDs measures what an engine keeps for each id it
// remembers (Options.RecentIDs, 1,024 by default), once full: the heap it
// holds per id, and the objects the garbage collector has to mark per id.
// The ids are UUIDs, as Amazon Connect's.
func BenchmarkEngineRecentIDs(b *testing.B) {
	const n = 1024
	ids := make([]string, 2*n)
	for i := range ids {
		ids[i] = uuid.NewString()
	}
	var heap, objects float64
	for range b.N {
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		e, _ := newTestEngine(engineConfig{window: -1, recentIDs: n})
		for i, id := range ids {
			// Each id a string of its own, as a decoded frame's is.
			e.add(msg(strings.Clone(id), i, "x"), t0)
			e.flush(t0)
			e.take()
		}
		runtime.GC()
		runtime.ReadMemStats(&m1)
		heap += float64(m1.HeapAlloc) - float64(m0.HeapAlloc)
		objects += float64(m1.HeapObjects) - float64(m0.HeapObjects)
		runtime.KeepAlive(e)
	}
	b.ReportMetric(heap/float64(b.N)/n, "B/id")
	b.ReportMetric(objects/float64(b.N)/n, "objects/id")
}
