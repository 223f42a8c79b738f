package participanttest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/connectchat/participant/internal/wire"
)

var getTranscriptOp = jsonOp[getTranscriptIn]{
	check: func(v *checks, in *getTranscriptIn) {
		v.optional("contactId", in.ContactID, 1, 256)
		if in.MaxResults != nil {
			v.rangeOf("maxResults", int64(*in.MaxResults), 0, 100)
		}
		v.optional("nextToken", in.NextToken, 1, 1000)
		if in.ScanDirection != "" {
			v.enum("scanDirection", in.ScanDirection, "FORWARD", "BACKWARD")
		}
		if in.SortOrder != "" {
			v.enum("sortOrder", in.SortOrder, "DESCENDING", "ASCENDING")
		}
		if sp := in.StartPosition; sp != nil {
			v.optional("startPosition.id", sp.ID, 1, 256)
			v.optional("startPosition.absoluteTime", sp.AbsoluteTime, 1, 100)
			v.rangeOf("startPosition.mostRecent", int64(sp.MostRecent), 0, 100)
		}
	},
	run: func(c *call, in *getTranscriptIn) (any, *apiError) {
		s, m := c.s, c.m
		target := m.c
		if in.ContactID != nil && *in.ContactID != m.c.id {
			t := s.contacts[*in.ContactID]
			if t == nil || !m.c.chain(t) {
				// Not a contact of this chat: the service answers an empty
				// transcript (amazon-connect-chatjs issue 28).
				return getTranscriptOut{Transcript: []Item{}}, nil
			}
			target = t
		}
		page, next, e := s.page(s.view(target), target.id, *in)
		if e != nil {
			return nil, e
		}
		return getTranscriptOut{InitialContactID: target.initialID, Transcript: page, NextToken: next}, nil
	},
}

// Transcript returns the transcript of a contact as GetTranscript sees it,
// oldest first: for a persistent chat, the items of the past contacts it
// continues (with RelatedContactId) and then its own. Typing events and
// receipts are not transcript items; receipts show in the MessageMetadata
// of the messages they acknowledge. It returns nil for an unknown contact.
func (s *Server) Transcript(contactID string) []Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.contacts[contactID]
	if c == nil {
		return nil
	}
	s.touch(c)
	var out []Item
	for _, v := range s.view(c) {
		out = append(out, v.item())
	}
	return out
}

// viewItem is an item of a transcript view: a stored item, and whether
// it is a past contact's (one of a persistent chat's earlier contacts).
type viewItem struct {
	it   *Item
	past bool
}

// item returns a copy of v's item as GetTranscript shows it: a past
// contact's item keeps its contact in RelatedContactId only.
func (v viewItem) item() Item {
	it := v.it.clone()
	if v.past {
		if it.RelatedContactID == "" {
			it.RelatedContactID = it.ContactID
		}
		it.ContactID, it.InitialContactID = "", ""
	}
	return it
}

// view returns the items GetTranscript pages through for c, oldest first:
// the past contacts' items, then c's own. It copies no item (a page copies
// the few it returns), so that paging through a long chat costs a pointer
// per item and page, not a copy of the whole transcript. s.mu must be
// held.
func (s *Server) view(c *contact) []viewItem {
	var chain []*contact // c, then the contacts it continues
	n := 0
	for x := c; x != nil; x = x.source {
		chain = append(chain, x)
		n += len(x.items)
	}
	out := make([]viewItem, 0, n)
	for i := len(chain) - 1; i >= 0; i-- {
		for _, it := range chain[i].items {
			out = append(out, viewItem{it: it, past: i > 0})
		}
	}
	return out
}

// pageToken is what a NextToken holds: the contact, the scan direction and
// the index in the view of the next item. Items are only ever appended, so
// an index stays valid.
type pageToken struct {
	C string `json:"c"`
	D string `json:"d"`
	I int    `json:"i"`
}

func (s *Server) encodeToken(t pageToken) string {
	b, _ := json.Marshal(t)
	mac := hmac.New(sha256.New, s.tokKey[:])
	mac.Write(b)
	return base64.RawURLEncoding.EncodeToString(b) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:12])
}

func (s *Server) decodeToken(v string) (pageToken, bool) {
	var t pageToken
	body, sig, ok := strings.Cut(v, ".")
	if !ok {
		return t, false
	}
	b, err1 := base64.RawURLEncoding.DecodeString(body)
	got, err2 := base64.RawURLEncoding.DecodeString(sig)
	if err1 != nil || err2 != nil {
		return t, false
	}
	mac := hmac.New(sha256.New, s.tokKey[:])
	mac.Write(b)
	if !hmac.Equal(got, mac.Sum(nil)[:12]) || json.Unmarshal(b, &t) != nil {
		return t, false
	}
	return t, t.D == "FORWARD" || t.D == "BACKWARD"
}

// page cuts one GetTranscript page out of view.
//
// The scan starts at the StartPosition (Id: that item; AbsoluteTime: the
// first item at or after it scanning FORWARD, the last at or before it
// scanning BACKWARD; MostRecent n: the n-th most recent item) or, without
// one, at the most recent item, and goes FORWARD (older to newer) or
// BACKWARD. ScanDirection defaults to FORWARD with a StartPosition and
// BACKWARD without; FORWARD without one is a ValidationException. The page
// holds up to MaxResults (default 10) items of the scan, the anchor
// included, sorted by SortOrder (default DESCENDING). A NextToken carries
// the scan on; it overrides StartPosition and ScanDirection.
func (s *Server) page(view []viewItem, contactID string, in getTranscriptIn) ([]Item, string, *apiError) {
	sc, e := s.scanOf(view, contactID, in)
	if e != nil {
		return nil, "", e
	}
	limit := 10
	if in.MaxResults != nil && *in.MaxResults > 0 {
		limit = *in.MaxResults
	}
	step := 1
	if sc.dir == "BACKWARD" {
		step = -1
	}
	n := len(view)
	page := []Item{}
	i := sc.idx
	for ; i >= 0 && i < n && len(page) < limit; i += step {
		page = append(page, view[i].item())
	}
	next := ""
	if i >= 0 && i < n {
		next = s.encodeToken(pageToken{C: contactID, D: sc.dir, I: i})
	}
	ascending := in.SortOrder == "ASCENDING"
	if ascending != (sc.dir == "FORWARD") {
		slices.Reverse(page)
	}
	return page, next, nil
}

// scan is where a GetTranscript page starts in the view and which way it
// goes.
type scan struct {
	dir string // FORWARD or BACKWARD
	idx int    // the first item's index; out of the view: an empty page
}

// scanOf finds the scan of a request: its NextToken's, or its
// StartPosition's.
func (s *Server) scanOf(view []viewItem, contactID string, in getTranscriptIn) (scan, *apiError) {
	if in.NextToken == nil {
		return startScan(view, in.StartPosition, in.ScanDirection)
	}
	t, ok := s.decodeToken(*in.NextToken)
	if !ok || t.C != contactID || t.I < 0 || t.I >= len(view) {
		return scan{}, validation("The NextToken is invalid (participanttest: not a token this server issued for this transcript)")
	}
	return scan{dir: t.D, idx: t.I}, nil
}

// startScan finds the scan a StartPosition and ScanDirection ask for.
func startScan(view []viewItem, sp *startPositionIn, dir string) (scan, *apiError) {
	if sp == nil {
		sp = &startPositionIn{}
	}
	if dir == "" {
		dir = "BACKWARD"
		if sp.ID != nil || sp.AbsoluteTime != nil || sp.MostRecent > 0 {
			dir = "FORWARD"
		}
	}
	switch {
	case sp.ID != nil:
		idx := slices.IndexFunc(view, func(v viewItem) bool { return v.it.ID == *sp.ID })
		if idx < 0 {
			return scan{}, validation(fmt.Sprintf("participanttest: StartPosition.Id %q is not an item of this transcript", *sp.ID))
		}
		return scan{dir: dir, idx: idx}, nil
	case sp.AbsoluteTime != nil:
		at, err := time.Parse(time.RFC3339Nano, *sp.AbsoluteTime)
		if err != nil {
			return scan{}, validation("1 validation error detected: Value at 'startPosition.absoluteTime' failed to satisfy constraint: Member must be an ISO-8601 time such as 2019-11-08T02:41:28.172Z")
		}
		return scan{dir: dir, idx: timeAnchor(view, at, dir)}, nil
	case sp.MostRecent > 0:
		return scan{dir: dir, idx: max(len(view)-sp.MostRecent, 0)}, nil
	case dir == "FORWARD":
		return scan{}, validation("participanttest: ScanDirection FORWARD needs a StartPosition with Id, AbsoluteTime or MostRecent")
	}
	return scan{dir: dir, idx: len(view) - 1}, nil
}

// timeAnchor is the index of the first item at or after at scanning
// FORWARD (len(view) when there is none), or of the last at or before it
// scanning BACKWARD (-1 when there is none).
func timeAnchor(view []viewItem, at time.Time, dir string) int {
	if dir == "FORWARD" {
		if i := slices.IndexFunc(view, func(v viewItem) bool { return !itemTime(v.it).Before(at) }); i >= 0 {
			return i
		}
		return len(view)
	}
	for i := len(view) - 1; i >= 0; i-- {
		if !itemTime(view[i].it).After(at) {
			return i
		}
	}
	return -1
}

func itemTime(it *Item) time.Time {
	t, _ := time.Parse(wire.TimeLayout, it.AbsoluteTime)
	return t
}
