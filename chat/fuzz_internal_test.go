package chat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// FuzzParseFrame feeds arbitrary WebSocket frames to the session's frame
// reader: it never panics, reads every frame as parseFrameRaw (its one-pass
// path for string content changes nothing), and keeps the JSON of every
// chat item it finds.
func FuzzParseFrame(f *testing.F) {
	item := `{"Id":"i1","Type":"MESSAGE","Content":"hi","ContentType":"text/plain","AbsoluteTime":"2026-11-29T10:00:00.123Z","ParticipantRole":"AGENT","ContactId":"c1"}`
	quoted, _ := json.Marshal(item)
	for _, s := range []string{
		`{"content":` + string(quoted) + `,"contentType":"application/json","topic":"aws/chat"}`,
		`{"content":` + item + `,"contentType":"application/json","topic":"aws/chat"}`, // content as an object
		`{"topic":"aws/subscribe","content":{"status":"success","topics":["aws/chat"]}}`,
		`{"topic":"aws/subscribe","content":{"status":"failure"}}`,
		`{"topic":"aws/heartbeat","content":""}`,
		`{"topic":"aws/ping","statusCode":200,"statusContent":"OK"}`,
		`{"topic":"aws/ping","statusCode":500}`,
		`{"message":"Forbidden","connectionId":"x","requestId":"y"}`,
		`{"content":"{\"Id\":\"c\",\"Type\":\"MESSAGE\",\"MessageMetadata\":{\"MessageCompleted\":false,\"ChunkNumber\":\"2\"}}","topic":"aws/chat"}`,
		`{"content":"{\"Id\":\"p\",\"isFromPastSession\":\"true\"}","topic":"aws/chat"}`,
		`{"content":"{\"Id\":\"p\",\"IsFromPastSession\":true,\"AbsoluteTime\":5}","topic":"aws/chat"}`,
		`{"topic":"aws/chat","content":` + string(quoted) + `,"content":null}`,
		`{"topic":"aws/chat","content":null,"content":` + string(quoted) + `}`,
		`{"topic":"aws/chat","content":` + string(quoted) + `,"topic":7}`,
		``, `null`, `[]`, `{"topic":5}`, `{"topic":"aws/chat","content":7}`, "\xff", `{"topic":"aws/chat"} trailing`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a := parseFrame(data)
		b := parseFrameRaw(bytes.Clone(data))
		const differ = "frame %q read differently by parseFrameRaw: %+v / %+v"
		require.Equal(t, a.kind, b.kind, differ, data, a, b)
		require.Equal(t, a.status, b.status, differ, data, a, b)
		require.Equal(t, a.pingOK, b.pingOK, differ, data, a, b)
		require.Equal(t, a.message, b.message, differ, data, a, b)
		require.Equal(t, a.item.it, b.item.it, differ, data, a, b)
		require.Equal(t, a.item.past, b.item.past, differ, data, a, b)
		require.Equal(t, a.item.incomplete, b.item.incomplete, differ, data, a, b)
		require.Equal(t, a.item.chunk, b.item.chunk, differ, data, a, b)
		require.Equal(t, string(a.item.raw), string(b.item.raw), differ, data, a, b)
		if a.kind == frameChat {
			require.NotEmpty(t, a.item.raw, "frame %q: a chat item without its JSON", data)
		}
	})
}

// FuzzDecodeItem: any bytes decode without panicking; what decodes to an
// item is a JSON object (so Raw is JSON), and keeps its id.
func FuzzDecodeItem(f *testing.F) {
	for _, s := range []string{
		`{"Id":"i1","Type":"MESSAGE","AbsoluteTime":"2026-11-29T10:00:00.123Z"}`,
		`{"Id":"i2","Type":"ATTACHMENT","Attachments":[{"AttachmentId":"a","Status":"APPROVED"}]}`,
		`{"Id":5,"Type":"MESSAGE","Content":"lenient"}`, `{"Id":"x","MessageMetadata":{"MessageCompleted":"false","ChunkNumber":3}}`,
		`{}`, `null`, `"x"`, `{"Id":"i","RelatedContactId":"old"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		in, ok := decodeItem(b)
		if !ok {
			return
		}
		require.True(t, json.Valid(in.raw), "item %q decoded from bytes that are not JSON", b)
		// A string member "Id" (the wire's spelling), the only member of
		// that name in any case, is the item's id.
		var members map[string]json.RawMessage
		var id string
		if json.Unmarshal(b, &members) == nil && json.Unmarshal(members["Id"], &id) == nil && id != "" && idMembers(members) == 1 {
			require.Equal(t, id, in.it.ID, "item %q decoded with the wrong id", b)
		}
		if in.it.RelatedContactID != "" {
			require.True(t, in.past, "item %q from a past contact not marked past", b)
		}
	})
}

// idMembers counts the members named id in any case.
func idMembers(m map[string]json.RawMessage) int {
	n := 0
	for k := range m {
		if strings.EqualFold(k, "Id") {
			n++
		}
	}
	return n
}

// FuzzEngineInterleavings drives the pure engine with random interleavings
// of live items (repeated, out of order), transcript pages (each a run of
// the service's order), holds (a gap fill owed) and releases (time passing,
// a gap fill merged), and checks the invariant directly: each item is
// delivered once, and none is lost; the delivered keys (AbsoluteTime) never
// go down except on events marked Late.
func FuzzEngineInterleavings(f *testing.F) {
	f.Add([]byte{0, 0, 1, 0, 2, 0, 3, 4, 5, 1, 0, 3, 9})
	f.Add([]byte{1, 2, 0, 5, 0, 4, 1, 0, 2, 6, 3, 1, 0, 0, 7})
	f.Add([]byte{0, 2, 1, 0, 9, 0, 3, 2, 1, 8, 3, 4, 200, 2, 3, 1})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) < 2 {
			return
		}
		window := time.Duration(ops[0]%3) * 10 * time.Millisecond
		e := newEngine(engineConfig{window: window, recentIDs: 1024, chunkTimeout: time.Second}, &counters{})
		// The service's items, in its order: by time, then by index (two
		// share each millisecond).
		const n = 16
		now := t0.Add(time.Hour)
		service := make([]incoming, n)
		for i := range service {
			service[i] = msg(fmt.Sprintf("i%02d", i), i/2*7, "x")
		}
		seen := map[string]bool{}
		var evs []Event
		take := func() { evs = append(evs, e.take()...) }
		ops = ops[1:]
		for len(ops) >= 2 {
			op, arg := ops[0]%5, int(ops[1])
			ops = ops[2:]
			switch op {
			case 0: // a live item arrives (perhaps again)
				in := service[arg%n]
				seen[in.it.ID] = true
				e.add(in, now)
			case 1: // a transcript page: a run of the service's order
				a := arg % n
				b := min(n, a+1+arg/n%n)
				page := slices.Clone(service[a:b])
				for _, in := range page {
					seen[in.it.ID] = true
				}
				e.merge(page, now, arg&1 == 1)
			case 2: // a gap fill is owed: releases held
				e.hold = true
			case 3: // time passes
				now = now.Add(time.Duration(arg) * time.Millisecond)
				e.flush(now)
			case 4: // the hold ends without a read (bounded hold)
				e.hold = false
				e.flush(now)
			}
			take()
		}
		e.hold = false
		e.flushAll(now)
		take()

		got := map[string]int{}
		var top time.Time
		for _, ev := range evs {
			if ev.Kind != KindMessage || ev.Update {
				continue
			}
			got[ev.Item.ID]++
			at := ev.Item.AbsoluteTime.Time
			if !ev.Late {
				require.False(t, at.Before(top), "%s at %v after %v, not marked Late", ev.Item.ID, at.Sub(t0), top.Sub(t0))
			}
			if at.After(top) {
				top = at
			}
		}
		for id := range seen {
			require.Equal(t, 1, got[id], "item %s delivered %d times", id, got[id])
		}
		require.Len(t, got, len(seen))
	})
}
