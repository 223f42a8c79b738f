package participanttest_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/connectchat/participant/internal/wire"
	"github.com/connectchat/participant/participanttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// transcriptPage is one GetTranscript answer.
type transcriptPage struct {
	InitialContactId string
	Transcript       []participanttest.Item
	NextToken        *string
}

func getTranscript(t *testing.T, srv *participanttest.Server, token string, body map[string]any) (transcriptPage, response) {
	t.Helper()
	r := post(t, srv, "/participant/transcript", token, body)
	var p transcriptPage
	if r.status == 200 {
		r.decode(t, &p)
	}
	return p, r
}

// pagingChat makes a chat whose items are one second apart: the two
// participant.joined events and seven messages.
func pagingChat(t *testing.T) (*participanttest.Server, chat, []participanttest.Item) {
	t.Helper()
	clk := participanttest.NewManualClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	srv := newServer(t, participanttest.WithClock(clk))
	cust, err := srv.StartChat(participanttest.ChatOptions{})
	require.NoError(t, err)
	clk.Advance(time.Second)
	_, err = srv.AddParticipant(cust.ContactID, participanttest.RoleAgent, "A")
	require.NoError(t, err)
	c := connect(t, srv, cust)
	for i := range 7 {
		clk.Advance(time.Second)
		sendMessage(t, srv, c, fmt.Sprintf("m%d", i+1))
	}
	all := srv.Transcript(cust.ContactID)
	var kinds []string
	for _, it := range all {
		kinds = append(kinds, it.ContentType+" "+it.Content)
	}
	want := []string{wire.ContentTypeParticipantJoined + " ", wire.ContentTypeParticipantJoined + " "}
	for i := range 7 {
		want = append(want, fmt.Sprintf("text/plain m%d", i+1))
	}
	require.Equal(t, want, kinds, "transcript")
	return srv, c, all
}

// pagingAnchor is a StartPosition and the scans it starts.
type pagingAnchor struct {
	name     string
	start    map[string]any // nil: no StartPosition member
	forward  []string       // the scan FORWARD; nil: FORWARD is refused
	backward []string       // the scan BACKWARD
}

// pagingCase is one GetTranscript request of TestTranscriptPaging and the
// scan it must read, page by page.
type pagingCase struct {
	a              pagingAnchor
	dir, sortOrder string
	max            int
	index          map[string]int // transcript positions by id
	contactID      string
}

// effective is the direction the scan goes.
func (pc pagingCase) effective() string {
	if pc.dir != "" {
		return pc.dir
	}
	if pc.a.forward != nil && pc.a.name != "none" && pc.a.name != "empty" && pc.a.name != "MostRecent 0" {
		return "FORWARD"
	}
	return "BACKWARD"
}

// want is the scan, or nil when the request is refused.
func (pc pagingCase) want() []string {
	if pc.effective() == "FORWARD" {
		return pc.a.forward
	}
	return pc.a.backward
}

// body is the first request; next the one that follows a NextToken.
func (pc pagingCase) body() map[string]any {
	b := pc.next()
	if pc.a.start != nil {
		b["StartPosition"] = pc.a.start
	}
	if pc.dir != "" {
		b["ScanDirection"] = pc.dir
	}
	return b
}

func (pc pagingCase) next() map[string]any {
	b := map[string]any{}
	if pc.sortOrder != "" {
		b["SortOrder"] = pc.sortOrder
	}
	if pc.max != 0 {
		b["MaxResults"] = pc.max
	}
	return b
}

// readPage checks one page (its size, its order by SortOrder) and returns
// its ids in scan order.
func (pc pagingCase) readPage(t *testing.T, p transcriptPage, remaining, page int) []string {
	t.Helper()
	assert.Equal(t, pc.contactID, p.InitialContactId, "InitialContactId")
	pageSize := pc.max
	if pageSize == 0 {
		pageSize = 10
	}
	require.Len(t, p.Transcript, min(pageSize, remaining), "page %d", page)
	chunk := make([]string, len(p.Transcript))
	for i, it := range p.Transcript {
		chunk[i] = it.ID
		if i > 0 {
			asc := pc.index[it.ID] > pc.index[p.Transcript[i-1].ID]
			require.True(t, asc == (pc.sortOrder == "ASCENDING"), "page %d is not sorted %q: %v", page, pc.sortOrder, chunk)
		}
	}
	if (pc.sortOrder == "ASCENDING") != (pc.effective() == "FORWARD") {
		slices.Reverse(chunk)
	}
	return chunk
}

func TestTranscriptPaging(t *testing.T) {
	t.Parallel()
	srv, c, all := pagingChat(t)
	n := len(all)
	ids := make([]string, n)
	index := map[string]int{}
	for i, it := range all {
		ids[i], index[it.ID] = it.ID, i
	}
	backward := func(upto int) []string { // ids[0..upto], newest first
		out := slices.Clone(ids[:upto+1])
		slices.Reverse(out)
		return out
	}
	at := func(i int) time.Time { ts, _ := time.Parse(time.RFC3339, all[i].AbsoluteTime); return ts }

	anchors := []pagingAnchor{
		{"none", nil, nil, backward(n - 1)},
		{"empty", map[string]any{}, nil, backward(n - 1)},
		{"MostRecent 0", map[string]any{"MostRecent": 0}, nil, backward(n - 1)},
		{"Id first", map[string]any{"Id": ids[0]}, ids, backward(0)},
		{"Id middle", map[string]any{"Id": ids[4]}, ids[4:], backward(4)},
		{"Id last", map[string]any{"Id": ids[n-1]}, ids[n-1:], backward(n - 1)},
		{"AbsoluteTime of an item", map[string]any{"AbsoluteTime": all[3].AbsoluteTime}, ids[3:], backward(3)},
		{"AbsoluteTime between items", map[string]any{"AbsoluteTime": at(3).Add(500 * time.Millisecond).Format("2006-01-02T15:04:05.000Z")}, ids[4:], backward(3)},
		{"AbsoluteTime before all", map[string]any{"AbsoluteTime": "2000-01-01T00:00:00.000Z"}, ids, []string{}},
		{"AbsoluteTime after all", map[string]any{"AbsoluteTime": "2100-01-01T00:00:00.000Z"}, []string{}, backward(n - 1)},
		{"MostRecent 3", map[string]any{"MostRecent": 3}, ids[n-3:], backward(n - 3)},
		{"MostRecent beyond", map[string]any{"MostRecent": 100}, ids, backward(0)},
	}
	var cases []pagingCase
	for _, a := range anchors {
		for _, dir := range []string{"", "FORWARD", "BACKWARD"} {
			for _, sortOrder := range []string{"", "ASCENDING", "DESCENDING"} {
				for _, max := range []int{0, 1, 2, 4, 100} {
					cases = append(cases, pagingCase{a: a, dir: dir, sortOrder: sortOrder, max: max, index: index, contactID: c.ContactID})
				}
			}
		}
	}
	for _, pc := range cases {
		t.Run(fmt.Sprintf("%s/%s/%s/%d", pc.a.name, pc.dir, pc.sortOrder, pc.max), func(t *testing.T) {
			t.Parallel()
			want := pc.want()
			p, r := getTranscript(t, srv, c.token, pc.body())
			if want == nil {
				r.wantError(t, 400, "ValidationException")
				return
			}
			r.wantOK(t)
			got := []string{} // want is never nil here
			for page := 1; ; page++ {
				got = append(got, pc.readPage(t, p, len(want)-len(got), page)...)
				if p.NextToken == nil || *p.NextToken == "" {
					break
				}
				require.Less(t, len(got), len(want), "NextToken after the last item")
				next := pc.next()
				next["NextToken"] = *p.NextToken
				p, r = getTranscript(t, srv, c.token, next)
				r.wantOK(t)
			}
			require.Equal(t, want, got, "scan %v\nwant %v", positions(got, index), positions(want, index))
		})
	}
}

// positions turns ids into transcript positions, for readable failures.
func positions(ids []string, index map[string]int) []int {
	out := make([]int, len(ids))
	for i, id := range ids {
		out[i] = index[id]
	}
	return out
}

// A scan continues where it was when new items arrive between pages.
func TestTranscriptPagingWhileTheChatGoesOn(t *testing.T) {
	t.Parallel()
	srv, c, all := pagingChat(t)
	p, r := getTranscript(t, srv, c.token, map[string]any{"MaxResults": 4, "SortOrder": "ASCENDING"})
	r.wantOK(t)
	newID, _ := sendMessage(t, srv, c, "late")
	var got []string
	for {
		for _, it := range p.Transcript {
			got = append(got, it.ID)
		}
		if p.NextToken == nil {
			break
		}
		p, r = getTranscript(t, srv, c.token, map[string]any{"MaxResults": 4, "SortOrder": "ASCENDING", "NextToken": *p.NextToken})
		r.wantOK(t)
	}
	require.Len(t, got, len(all), "BACKWARD scan: want the %d older items", len(all))
	require.NotContains(t, got, newID, "BACKWARD scan saw the new item")

	// FORWARD scans reach items added after they began.
	p, r = getTranscript(t, srv, c.token, map[string]any{"MaxResults": 5, "StartPosition": map[string]any{"Id": all[0].ID}})
	r.wantOK(t)
	later, _ := sendMessage(t, srv, c, "later")
	got = nil
	for {
		for _, it := range p.Transcript {
			got = append(got, it.ID)
		}
		if p.NextToken == nil {
			break
		}
		p, r = getTranscript(t, srv, c.token, map[string]any{"MaxResults": 5, "NextToken": *p.NextToken})
		r.wantOK(t)
	}
	require.Len(t, got, len(all)+2, "FORWARD scan")
	require.Equal(t, later, got[len(got)-1], "FORWARD scan's last item")
}

func TestTranscriptOfAnotherContact(t *testing.T) {
	t.Parallel()
	srv, c, _ := pagingChat(t)
	other, _ := srv.StartChat(participanttest.ChatOptions{})
	for _, id := range []string{other.ContactID, "no-such-contact"} {
		p, r := getTranscript(t, srv, c.token, map[string]any{"ContactId": id})
		r.wantOK(t)
		assert.Empty(t, p.Transcript, "transcript of %s: %+v", id, p)
		assert.Nil(t, p.NextToken, "transcript of %s: %+v", id, p)
	}
	// A NextToken of one contact does not page another.
	oc := connect(t, srv, other)
	p, _ := getTranscript(t, srv, c.token, map[string]any{"MaxResults": 1})
	require.NotNil(t, p.NextToken, "a page of one item of many has no NextToken")
	_, r := getTranscript(t, srv, oc.token, map[string]any{"NextToken": *p.NextToken})
	r.wantError(t, 400, "ValidationException")
}
