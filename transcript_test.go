package participant_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
)

// pagedServer serves GetTranscript pages keyed by the request's NextToken
// ("" for the first page) and records every request body.
type pagedServer struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []map[string]any
}

// newPagedServer answers with pages[token]; a page starting with "!" is an
// error response with that code.
func newPagedServer(t *testing.T, pages map[string]string) *pagedServer {
	t.Helper()
	ps := &pagedServer{}
	ps.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		assert.NoError(t, json.Unmarshal(b, &body), "body %q", b)
		ps.mu.Lock()
		ps.bodies = append(ps.bodies, body)
		ps.mu.Unlock()
		tok, _ := body["NextToken"].(string)
		page, ok := pages[tok]
		if !assert.True(t, ok, "request for unknown page %q", tok) {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if code, isErr := strings.CutPrefix(page, "!"); isErr {
			writeErr(w, http.StatusForbidden, code, "no")
			return
		}
		_, _ = io.WriteString(w, page)
	}))
	t.Cleanup(ps.Close)
	return ps
}

func (ps *pagedServer) requests() []map[string]any {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return append([]map[string]any(nil), ps.bodies...)
}

// page builds a GetTranscript response holding items with the given ids.
func page(next string, ids ...string) string {
	out := struct {
		NextToken  string `json:",omitempty"`
		Transcript []map[string]string
	}{NextToken: next, Transcript: []map[string]string{}}
	for _, id := range ids {
		out.Transcript = append(out.Transcript, map[string]string{"Id": id, "Type": "MESSAGE"})
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func ids(items []participant.Item) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

func TestTranscriptIterator(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		pages    map[string]string
		first    string // in.NextToken
		wantIDs  []string
		wantReqs []string // NextToken of each request
		wantErr  string   // error code yielded last, if any
	}{
		{"three pages", map[string]string{"": page("t1", "a", "b"), "t1": page("t2", "c"), "t2": page("", "d")},
			"", []string{"a", "b", "c", "d"}, []string{"", "t1", "t2"}, ""},
		{"one page", map[string]string{"": page("", "a")}, "", []string{"a"}, []string{""}, ""},
		{"empty transcript", map[string]string{"": page("")}, "", []string{}, []string{""}, ""},
		{"empty page in the middle", map[string]string{"": page("t1"), "t1": page("t2"), "t2": page("", "a")},
			"", []string{"a"}, []string{"", "t1", "t2"}, ""},
		{"explicit empty token ends", map[string]string{"": `{"NextToken":"","Transcript":[{"Id":"a"}]}`},
			"", []string{"a"}, []string{""}, ""},
		{"null token ends", map[string]string{"": `{"NextToken":null,"Transcript":[{"Id":"a"}]}`},
			"", []string{"a"}, []string{""}, ""},
		{"token repeated at once", map[string]string{"": page("t1", "a"), "t1": page("t1", "b")},
			"", []string{"a", "b"}, []string{"", "t1"}, ""},
		{"token cycle", map[string]string{"": page("t1", "a"), "t1": page("t2", "b"), "t2": page("t1", "c")},
			"", []string{"a", "b", "c"}, []string{"", "t1", "t2"}, ""},
		{"caller's token", map[string]string{"t5": page("t6", "e"), "t6": page("", "f")},
			"t5", []string{"e", "f"}, []string{"t5", "t6"}, ""},
		{"caller's token repeated", map[string]string{"t5": page("t5", "e")},
			"t5", []string{"e"}, []string{"t5"}, ""},
		{"error mid-way", map[string]string{"": page("t1", "a"), "t1": "!AccessDeniedException"},
			"", []string{"a"}, []string{"", "t1"}, "AccessDeniedException"},
		{"error first", map[string]string{"": "!ValidationException"},
			"", []string{}, []string{""}, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ps := newPagedServer(t, tt.pages)
			c := participant.New(participant.Options{BaseEndpoint: ps.URL, Retryer: aws.NopRetryer{}})
			t.Cleanup(c.CloseIdleConnections)
			in := &participant.GetTranscriptInput{
				ConnectionToken: "tok", NextToken: tt.first, MaxResults: 2,
				ScanDirection: participant.ScanDirectionForward, SortOrder: participant.SortOrderAscending,
				StartPosition: &participant.StartPosition{ID: "anchor"},
			}
			before := *in
			var items []participant.Item
			var errs []error
			for it, err := range c.Transcript(t.Context(), in) {
				if err != nil {
					errs = append(errs, err)
					assert.Equal(t, participant.Item{}, it, "an error came with an item")
					continue
				}
				items = append(items, it)
			}
			assert.Equal(t, tt.wantIDs, ids(items), "items")
			reqs := ps.requests()
			var toks []string
			for _, b := range reqs {
				tok, _ := b["NextToken"].(string)
				toks = append(toks, tok)
				// Every page carries the rest of the input unchanged.
				assert.Equal(t, 2.0, b["MaxResults"], "page request %v lost part of the input", b)
				assert.Equal(t, "FORWARD", b["ScanDirection"], "page request %v lost part of the input", b)
				assert.Equal(t, "ASCENDING", b["SortOrder"], "page request %v lost part of the input", b)
				assert.Equal(t, map[string]any{"Id": "anchor"}, b["StartPosition"], "page request %v lost part of the input", b)
			}
			assert.Equal(t, tt.wantReqs, toks, "requested pages")
			assert.Equal(t, before, *in, "the iterator changed the input")
			if tt.wantErr == "" {
				assert.Empty(t, errs, "errors")
				return
			}
			require.Len(t, errs, 1, "errors %v, want one %s", errs, tt.wantErr)
			var ae smithy.APIError
			if assert.ErrorAs(t, errs[0], &ae) {
				assert.Equal(t, tt.wantErr, ae.ErrorCode(), "ErrorCode")
			}
			var oe *smithy.OperationError
			if assert.ErrorAs(t, errs[0], &oe, "not a GetTranscript operation error") {
				assert.Equal(t, "GetTranscript", oe.OperationName, "OperationName")
			}
		})
	}
}

// TestTranscriptIteratorEarlyBreak: leaving the loop stops the requests,
// even in the middle of a page.
func TestTranscriptIteratorEarlyBreak(t *testing.T) {
	t.Parallel()
	ps := newPagedServer(t, map[string]string{"": page("t1", "a", "b"), "t1": page("", "c")})
	c := participant.New(participant.Options{BaseEndpoint: ps.URL})
	t.Cleanup(c.CloseIdleConnections)
	var got []string
	for it, err := range c.Transcript(t.Context(), &participant.GetTranscriptInput{ConnectionToken: "tok"}) {
		require.NoError(t, err)
		got = append(got, it.ID)
		break
	}
	assert.Equal(t, []string{"a"}, got, "items")
	assert.Len(t, ps.requests(), 1, "requests")
	// Breaking at a page boundary does not fetch the next page either.
	got = nil
	for it, err := range c.Transcript(t.Context(), &participant.GetTranscriptInput{ConnectionToken: "tok"}) {
		require.NoError(t, err)
		got = append(got, it.ID)
		if it.ID == "b" {
			break
		}
	}
	assert.Equal(t, []string{"a", "b"}, got, "items")
	assert.Len(t, ps.requests(), 2, "requests in all")
}

// TestTranscriptIteratorInvalidInput yields the validation error once and
// sends nothing.
func TestTranscriptIteratorInvalidInput(t *testing.T) {
	t.Parallel()
	ps := newPagedServer(t, map[string]string{})
	c := participant.New(participant.Options{BaseEndpoint: ps.URL})
	t.Cleanup(c.CloseIdleConnections)
	for name, in := range map[string]*participant.GetTranscriptInput{
		"nil":                     nil,
		"forward without a start": {ConnectionToken: "tok", ScanDirection: participant.ScanDirectionForward},
		"max results too large":   {ConnectionToken: "tok", MaxResults: 1000},
	} {
		var errs []error
		n := 0
		for _, err := range c.Transcript(t.Context(), in) {
			n++
			if err != nil {
				errs = append(errs, err)
			}
		}
		var ip *smithy.InvalidParamsError
		assert.Equal(t, 1, n, "%s: yields", name)
		if assert.Len(t, errs, 1, "%s: errors; want one InvalidParamsError", name) {
			assert.ErrorAs(t, errs[0], &ip, name)
		}
	}
	assert.Empty(t, ps.requests(), "requests sent for invalid input")
}

// TestTranscriptIteratorCancel: a context that ends between pages ends the
// iteration with an error that errors.Is finds.
func TestTranscriptIteratorCancel(t *testing.T) {
	t.Parallel()
	ps := newPagedServer(t, map[string]string{"": page("t1", "a", "b"), "t1": page("", "c")})
	c := participant.New(participant.Options{BaseEndpoint: ps.URL})
	t.Cleanup(c.CloseIdleConnections)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var got []string
	var last error
	for it, err := range c.Transcript(ctx, &participant.GetTranscriptInput{ConnectionToken: "tok"}) {
		if err != nil {
			last = err
			continue
		}
		got = append(got, it.ID)
		cancel()
	}
	assert.Equal(t, []string{"a", "b"}, got, "items")
	assert.ErrorIs(t, last, context.Canceled, "last error")
	assert.Len(t, ps.requests(), 1, "requests")
}
