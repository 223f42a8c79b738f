package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connectparticipant"
	"github.com/connectchat/participant"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// BenchmarkGetTranscript100 compares three ways of fetching and decoding one
// 100-item GetTranscript page from one loopback server in this process:
//
//	floor        a bare net/http POST with the same path, headers and body
//	             bytes this client sends, the response read fully and
//	             decoded with encoding/json into wireTranscript, plain
//	             strings mirroring the wire JSON
//	participant  this repository's client: GetTranscript
//	awssdk       aws-sdk-go-v2 service/connectparticipant v1.34.0: GetTranscript
//
// Every side gets its own transport with the same pool settings
// (newHTTPClient) and builds a fresh input per call.

// wireTranscript mirrors the GetTranscript response JSON with plain strings.
// transcriptPage builds the benchmark page from it, and the floor decodes
// into it.
type wireTranscript struct {
	InitialContactId string
	NextToken        string
	Transcript       []wireItem
}

type wireItem struct {
	AbsoluteTime    string
	Attachments     []wireAttachment `json:",omitempty"`
	ContactId       string
	Content         string
	ContentType     string
	DisplayName     string
	Id              string
	MessageMetadata *wireMessageMetadata `json:",omitempty"`
	ParticipantId   string
	ParticipantRole string
	Type            string
}

type wireAttachment struct {
	AttachmentId   string
	AttachmentName string
	ContentType    string
	Status         string
}

type wireMessageMetadata struct {
	MessageId string
	Receipts  []wireReceipt
}

type wireReceipt struct {
	DeliveredTimestamp     string
	ReadTimestamp          string
	RecipientParticipantId string
}

// transcriptMessages are the texts of the page's messages: a support chat,
// 26 to 162 characters, some with quotes, new lines and non-ASCII text, as
// customers write them.
var transcriptMessages = []string{
	"Hi, I ordered a pair of running shoes last week and the tracking page hasn't updated since Tuesday. Can you help?",
	"Thanks for reaching out! I'm sorry to hear that. Could you share your order number so I can look into it?",
	"Sure, it's #A-2024-118342.",
	"I can see the parcel left our warehouse on May 2nd. The carrier shows it at the regional depot; it should be delivered within 2 business days.",
	"Okay. Is there any way to get it sooner? I need them for a race on Saturday.\nOtherwise I'd like to cancel and buy them in a store.",
	"Let me check with the carrier. One moment please \u2014 this may take a couple of minutes.",
	`I tried the "Track parcel" link in the e-mail but it only says "No information available".`,
	"The carrier confirmed it's out for delivery tomorrow morning, before 12:00. I've added a note asking them to leave it with a neighbour if you're not home.",
	"Merci beaucoup ! C'est parfait 😊",
	"You're welcome! Is there anything else I can help you with today? For example, I can send you the return label in advance, in case the size doesn't fit.",
	"Yes please, size 44 might be a bit small. How do returns work? Do I need to print anything, or can I just bring the box to a drop-off point?",
	"No printing needed: show the QR code from the e-mail at any drop-off point within 30 days. The refund usually takes 3\u20135 business days after we receive the parcel.",
}

// transcriptContactID is the contact of every item of the page.
const transcriptContactID = "6d9f2c1a-3b4e-4f5a-8b6c-7d8e9f0a1b2c"

// transcriptPage returns a GetTranscript response body with n items, each
// with every member: MESSAGE, EVENT and ATTACHMENT items, attachments on
// the ATTACHMENT items, and MessageMetadata with two receipts on every
// message.
func transcriptPage(n int) []byte {
	base := time.Date(2024, 5, 2, 10, 15, 30, 123e6, time.UTC)
	ts := func(d time.Duration) string { return base.Add(d).Format("2006-01-02T15:04:05.000Z") }
	id := func(kind, i int) string {
		return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", 0x5e1f0000+i, 0x1000+kind, i%0x1000, (i*7)%0x1000, 0xa1b2c3d40000+int64(i))
	}
	const customer, agent = "c2b1a0f9-8e7d-4c6b-9a5f-4e3d2c1b0a99", "a0b1c2d3-e4f5-4a6b-8c7d-8e9f0a1b2c3d"
	page := wireTranscript{
		InitialContactId: transcriptContactID,
		NextToken:        "AYADeJ0Ylb2xk3TNIexampleNextTokenzM0OTgzYjEtNzQ5Zi00ZDI0LWFhZWYtZDQ2ZGIwYTE5Y2UyAAAAAQ==",
	}
	for i := range n {
		at := time.Duration(i) * 7 * time.Second
		from, name, role, to := customer, "Customer", "CUSTOMER", agent
		if i%2 == 1 {
			from, name, role, to = agent, "Ana García", "AGENT", customer
		}
		it := wireItem{
			AbsoluteTime:    ts(at),
			ContactId:       transcriptContactID,
			DisplayName:     name,
			Id:              id(1, i),
			ParticipantId:   from,
			ParticipantRole: role,
		}
		switch i % 10 {
		case 3, 8:
			it.Type = "ATTACHMENT"
			it.ContentType = "image/jpeg"
			it.Content = fmt.Sprintf("IMG_%04d.jpg", 2100+i)
			it.Attachments = []wireAttachment{{
				AttachmentId:   "asdfjklqweruiopzxcvbnm" + id(2, i)[:13],
				AttachmentName: it.Content,
				ContentType:    "image/jpeg",
				Status:         "APPROVED",
			}}
		case 5:
			it.Type = "EVENT"
			it.ContentType = "application/vnd.amazonaws.connect.event.participant.displayname.updated"
			it.Content = fmt.Sprintf(`{"displayName":"%s","participantId":"%s"}`, name, from)
		default:
			it.Type = "MESSAGE"
			it.ContentType = "text/plain"
			it.Content = transcriptMessages[i%len(transcriptMessages)]
			it.MessageMetadata = &wireMessageMetadata{
				MessageId: it.Id,
				Receipts: []wireReceipt{
					{DeliveredTimestamp: ts(at + 350*time.Millisecond), ReadTimestamp: ts(at + 4*time.Second), RecipientParticipantId: to},
					{DeliveredTimestamp: ts(at + 410*time.Millisecond), ReadTimestamp: ts(at + 9*time.Second), RecipientParticipantId: "b0b0b0b0-1111-4222-8333-c4c4c4c4c4c4"},
				},
			}
		}
		page.Transcript = append(page.Transcript, it)
	}
	b, err := json.Marshal(page)
	if err != nil {
		panic(err)
	}
	return b
}

// transcriptPage100 is the page every GetTranscript100 side fetches.
var transcriptPage100 = transcriptPage(100)

const transcriptPath = "/participant/transcript"

// transcriptFloorBody is what this client sends for transcriptInput.
var transcriptFloorBody = []byte(`{"MaxResults":100,"ScanDirection":"BACKWARD","SortOrder":"ASCENDING"}`)

// transcriptInput is the input of every call: the newest 100 items, each
// page oldest first, as amazon-connect-chatjs loads history.
func transcriptInput() *participant.GetTranscriptInput {
	return &participant.GetTranscriptInput{
		ConnectionToken: connToken,
		MaxResults:      100,
		ScanDirection:   participant.ScanDirectionBackward,
		SortOrder:       participant.SortOrderAscending,
	}
}

// transcriptHandler answers GetTranscript with transcriptPage100; anything
// else is a 404, so a side that sent the wrong request fails instead of
// looking fast.
func transcriptHandler(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	if r.Method != http.MethodPost || r.URL.Path != transcriptPath || r.Header.Get("X-Amz-Bearer") != connToken {
		http.Error(w, `{"message":"unexpected request"}`, http.StatusNotFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Requestid", benchRequestID)
	_, _ = w.Write(transcriptPage100)
}

// newTranscriptSides starts the server and returns the three sides, in the
// order they run. Each checks that it got all 100 items.
func newTranscriptSides(b testing.TB) []benchSide {
	srv, track := startServer(b, http.HandlerFunc(transcriptHandler))

	floorClient, floorTr := newHTTPClient()
	track(floorTr)
	floorURL := srv.URL + transcriptPath
	floor := func(ctx context.Context) error {
		body, err := floorPost(ctx, floorClient, floorURL, transcriptFloorBody)
		if err != nil {
			return err
		}
		var out wireTranscript
		if err := json.Unmarshal(body, &out); err != nil {
			return err
		}
		if len(out.Transcript) != 100 {
			return fmt.Errorf("floor: %d items", len(out.Transcript))
		}
		return nil
	}

	ours, oursTr := newOurs(srv, track)
	oursSend := func(ctx context.Context) error {
		out, err := ours.GetTranscript(ctx, transcriptInput())
		if err != nil {
			return err
		}
		if len(out.Transcript) != 100 {
			return fmt.Errorf("participant: %d items", len(out.Transcript))
		}
		return nil
	}

	awsc, awsTr := newAWS(srv, track)
	awsSend := func(ctx context.Context) error {
		out, err := awsc.GetTranscript(ctx, &connectparticipant.GetTranscriptInput{
			ConnectionToken: aws.String(connToken),
			MaxResults:      aws.Int32(100),
			ScanDirection:   "BACKWARD",
			SortOrder:       "ASCENDING",
		})
		if err != nil {
			return err
		}
		if len(out.Transcript) != 100 {
			return fmt.Errorf("awssdk: %d items", len(out.Transcript))
		}
		return nil
	}

	return []benchSide{
		{"floor", floor, floorTr.CloseIdleConnections},
		{"participant", oursSend, oursTr.CloseIdleConnections},
		{"awssdk", awsSend, awsTr.CloseIdleConnections},
	}
}

func BenchmarkGetTranscript100(b *testing.B) {
	for _, s := range newTranscriptSides(b) {
		b.Run(s.name, func(b *testing.B) {
			warm(b, s, 1)
			ctx := context.Background()
			b.ReportAllocs()
			b.SetBytes(int64(len(transcriptPage100)))
			b.ResetTimer()
			for range b.N {
				if err := s.send(ctx); err != nil { // testify only on failure: its b.Helper call would be timed
					require.NoError(b, err)
				}
			}
			b.StopTimer()
			s.idle()
		})
	}
}

// TestTranscriptFloorRequest checks that the floor puts the request this
// client sends on the wire: same method, target, header names, and body
// bytes. Otherwise the floor would measure a different request.
func TestTranscriptFloorRequest(t *testing.T) {
	t.Parallel()
	rec := &recorder{status: http.StatusOK, header: map[string]string{"Content-Type": "application/json"}, body: string(transcriptPage100)}
	srv, track := startServer(t, rec)
	ctx := context.Background()

	ours, _ := newOurs(srv, track)
	out, err := ours.GetTranscript(ctx, transcriptInput())
	require.NoError(t, err)
	require.Equal(t, 100, len(out.Transcript), "participant decoded items")
	oursReqs := rec.take()

	floorClient, floorTr := newHTTPClient()
	track(floorTr)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+transcriptPath, bytes.NewReader(transcriptFloorBody))
	require.NoError(t, err)
	for _, h := range []string{"X-Amz-Bearer", "Content-Type", "User-Agent", "Amz-Sdk-Invocation-Id", "Amz-Sdk-Request"} {
		req.Header.Set(h, "x")
	}
	resp, err := floorClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	floorReqs := rec.take()

	require.Len(t, oursReqs, 1, "requests: participant sent %d; want 1", len(oursReqs))
	require.Len(t, floorReqs, 1, "requests: floor sent %d; want 1", len(floorReqs))
	o, f := oursReqs[0], floorReqs[0]
	assert.Equal(t, f.method, o.method, "method: floor first, participant second")
	assert.Equal(t, f.uri, o.uri, "request target: floor first, participant second")
	// As strings, so that an empty body equals a nil one, as with bytes.Equal.
	assert.Equal(t, string(transcriptFloorBody), string(o.body), "body: floor first, participant second")
	names := func(h http.Header) []string {
		var ns []string
		for _, k := range []string{"X-Amz-Bearer", "Content-Type", "User-Agent", "Amz-Sdk-Invocation-Id", "Amz-Sdk-Request", "Accept-Encoding", "Content-Length"} {
			if h.Get(k) != "" {
				ns = append(ns, k)
			}
		}
		return ns
	}
	assert.Equal(t, len(f.header), len(o.header), "header count: floor first, participant second")
	assert.Equal(t, names(f.header), names(o.header), "header names: floor first, participant second")
	assert.Equal(t, len(floorUserAgent), len(o.header.Get("User-Agent")), "User-Agent length: floor first, participant second (%q)", o.header.Get("User-Agent"))
}

// TestTranscriptPage checks the benchmark page: 100 items, every member set,
// the kinds mixed as documented, and the floor's structure reading all of it
// (encoding/json ignores what a struct lacks, so compare re-encoded JSON).
func TestTranscriptPage(t *testing.T) {
	t.Parallel()
	var page wireTranscript
	require.NoError(t, json.Unmarshal(transcriptPage100, &page))
	var asAny, back any
	_ = json.Unmarshal(transcriptPage100, &asAny)
	re, _ := json.Marshal(page)
	_ = json.Unmarshal(re, &back)
	assert.Equal(t, asAny, back, "wireTranscript drops members of the page")
	require.Equal(t, 100, len(page.Transcript), "items")
	kinds := map[string]int{}
	for i, it := range page.Transcript {
		kinds[it.Type]++
		for member, v := range map[string]string{
			"AbsoluteTime": it.AbsoluteTime, "ContactId": it.ContactId, "Content": it.Content, "ContentType": it.ContentType,
			"DisplayName": it.DisplayName, "Id": it.Id, "ParticipantId": it.ParticipantId, "ParticipantRole": it.ParticipantRole,
		} {
			assert.NotEmpty(t, v, "item %d lacks %s: %+v", i, member, it)
		}
		assert.Equal(t, it.Type == "ATTACHMENT", len(it.Attachments) > 0, "item %d: type %s with %d attachments", i, it.Type, len(it.Attachments))
		assert.Equal(t, it.Type == "MESSAGE", it.MessageMetadata != nil && len(it.MessageMetadata.Receipts) == 2, "item %d: type %s with metadata %+v", i, it.Type, it.MessageMetadata)
	}
	assert.Equal(t, 70, kinds["MESSAGE"], "kinds %v", kinds)
	assert.Equal(t, 20, kinds["ATTACHMENT"], "kinds %v", kinds)
	assert.Equal(t, 10, kinds["EVENT"], "kinds %v", kinds)
}

// TestTranscriptSides runs each benchmark side once: each checks its own
// result, so a broken side fails here before it is timed.
func TestTranscriptSides(t *testing.T) {
	t.Parallel()
	for _, s := range newTranscriptSides(t) {
		assert.NoError(t, s.send(context.Background()), "%s", s.name)
	}
}
