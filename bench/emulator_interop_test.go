package bench_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	connecttypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/aws/aws-sdk-go-v2/service/connectparticipant"
	"github.com/aws/aws-sdk-go-v2/service/connectparticipant/types"
	"github.com/aws/smithy-go"
	"github.com/coder/websocket"
	"github.com/connectchat/participant/participanttest"
)

// This file plays chats against participanttest, the local emulator, with
// clients that were not written here: aws-sdk-go-v2's service/connect
// v1.175.2 (StartChatContact, CreateParticipant, StopContact; SigV4-signed
// with dummy keys, which the emulator accepts and ignores) and
// service/connectparticipant v1.34.0 (all eleven operations, anonymous
// credentials, as the service is used for real). Nothing in the clients is
// changed but their BaseEndpoint. The WebSocket is read with a raw
// coder/websocket client. Everything runs over a loopback port.

// Dummy Amazon Connect values. The emulator checks only their lengths.
const (
	emuRegion     = "us-east-1"
	emuInstanceID = "6f0c1d2e-3a4b-4c5d-8e9f-a0b1c2d3e4f5"
	emuFlowID     = "0a1b2c3d-4e5f-4a6b-9c7d-8e9fa0b1c2d3"
	emuAccessKey  = "AKIDBENCHEMULATOR00"
)

// emuCredentials are the dummy keys the Connect client signs with. Not a
// secret: the emulator ignores signatures.
var emuCredentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: emuAccessKey, SecretAccessKey: "bench-emulator-dummy-secret", Source: "bench"}, nil
})

// emuEnv is one emulator on a loopback port and the clients made for it.
// Cleanup closes, in order, every socket dialled through it, the idle
// connections of every transport made for it (goleak checks that no client
// goroutine is left) and the server.
type emuEnv struct {
	srv *participanttest.Server // nil for a `participant local` process
	url string                  // the base URL of the service

	mu      sync.Mutex
	trs     []*http.Transport
	sockets []*websocket.Conn
}

func newEmuEnv(tb testing.TB, opts ...participanttest.Option) *emuEnv {
	tb.Helper()
	srv := participanttest.NewServer(opts...)
	e := &emuEnv{srv: srv, url: srv.URL}
	tb.Cleanup(func() {
		e.closeClients()
		srv.Close()
	})
	return e
}

// closeClients closes the sockets and the transports' idle connections.
func (e *emuEnv) closeClients() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range e.sockets {
		_ = c.CloseNow()
	}
	for _, tr := range e.trs {
		tr.CloseIdleConnections()
	}
}

// httpClient returns a client with a transport of its own (newHTTPClient),
// tracked for cleanup. It follows no redirects, so the authentication page's
// 302 can be checked.
func (e *emuEnv) httpClient() *http.Client {
	hc, tr := newHTTPClient()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	e.mu.Lock()
	e.trs = append(e.trs, tr)
	e.mu.Unlock()
	return hc
}

// participantClient returns aws-sdk-go-v2's connectparticipant client for the
// emulator, with anonymous credentials.
func (e *emuEnv) participantClient(optFns ...func(*connectparticipant.Options)) *connectparticipant.Client {
	return connectparticipant.New(connectparticipant.Options{
		Region:       emuRegion,
		BaseEndpoint: aws.String(e.url),
		Credentials:  aws.AnonymousCredentials{},
		HTTPClient:   e.httpClient(),
	}, optFns...)
}

// connectClient returns aws-sdk-go-v2's Amazon Connect client for the
// emulator; it signs every request with SigV4 and the dummy keys.
func (e *emuEnv) connectClient(optFns ...func(*connect.Options)) *connect.Client {
	return connect.New(connect.Options{
		Region:       emuRegion,
		BaseEndpoint: aws.String(e.url),
		Credentials:  emuCredentials,
		HTTPClient:   e.httpClient(),
	}, optFns...)
}

// emuFrame is a server → client WebSocket frame (spec §2.3).
type emuFrame struct {
	Topic       string          `json:"topic"`
	ContentType string          `json:"contentType"`
	Content     json.RawMessage `json:"content"`
	Message     string          `json:"message"`
}

// emuItem is a chat item as the spec (§2.4) describes it on the wire, decoded
// from the content string of an aws/chat frame.
type emuItem struct {
	AbsoluteTime    string
	Content         string
	ContentType     string
	Id              string
	Type            string
	ParticipantId   string
	DisplayName     string
	ParticipantRole string
	Attachments     []struct {
		ContentType, AttachmentId, AttachmentName, Status string
	}
	MessageMetadata *struct {
		MessageId string
		Receipts  []struct {
			DeliveredTimestamp, ReadTimestamp, RecipientParticipantId string
		}
	}
	ContactId, InitialContactId, RelatedContactId string
}

// emuSocket is a raw coder/websocket client subscribed to aws/chat.
type emuSocket struct {
	name string
	c    *websocket.Conn
}

// dial opens the WebSocket URL CreateParticipantConnection returned,
// subscribes to aws/chat the way amazon-connect-chatjs does and checks the
// acknowledgement.
func (e *emuEnv) dial(t *testing.T, name, wsURL string) *emuSocket {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPClient: e.httpClient()})
	if err != nil {
		t.Fatalf("%s: dialling the WebSocket URL: %v", name, err)
	}
	e.mu.Lock()
	e.sockets = append(e.sockets, c)
	e.mu.Unlock()
	s := &emuSocket{name: name, c: c}
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`)); err != nil {
		t.Fatalf("%s: subscribe: %v", name, err)
	}
	raw, f := s.read(t)
	var ack struct {
		Status string   `json:"status"`
		Topics []string `json:"topics"`
	}
	if f.Topic != "aws/subscribe" || json.Unmarshal(f.Content, &ack) != nil || ack.Status != "success" || !slices.Equal(ack.Topics, []string{"aws/chat"}) {
		t.Fatalf("%s: subscribe answered %s, want the aws/subscribe success ack with an object content", name, raw)
	}
	return s
}

// read reads one text frame, within 10 s.
func (s *emuSocket) read(t *testing.T) ([]byte, emuFrame) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	typ, raw, err := s.c.Read(ctx)
	if err != nil {
		t.Fatalf("%s: reading the socket: %v", s.name, err)
	}
	if typ != websocket.MessageText {
		t.Fatalf("%s: a %v frame, want text", s.name, typ)
	}
	var f emuFrame
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("%s: frame %s is not JSON: %v", s.name, raw, err)
	}
	return raw, f
}

// next reads frames until an aws/chat item that match accepts and returns
// it. Every aws/chat frame read on the way must have the service's form:
// keys content, contentType, topic in that order, contentType
// application/json, and a content that is a JSON string holding the Item.
func (s *emuSocket) next(t *testing.T, what string, match func(emuItem) bool) emuItem {
	t.Helper()
	var skipped []string
	for range 50 {
		raw, f := s.read(t)
		if f.Topic != "aws/chat" {
			t.Fatalf("%s: waiting for %s, got a frame that is not aws/chat: %s", s.name, what, raw)
		}
		if !bytes.HasPrefix(raw, []byte(`{"content":"`)) || f.ContentType != "application/json" {
			t.Fatalf("%s: aws/chat frame %s: want {\"content\":\"<Item JSON>\",\"contentType\":\"application/json\",\"topic\":\"aws/chat\"}", s.name, raw)
		}
		var content string
		if err := json.Unmarshal(f.Content, &content); err != nil {
			t.Fatalf("%s: content of %s is not a JSON string: %v", s.name, raw, err)
		}
		var it emuItem
		if err := json.Unmarshal([]byte(content), &it); err != nil {
			t.Fatalf("%s: content string %q is not an Item: %v", s.name, content, err)
		}
		if it.Id == "" || it.Type == "" || it.ContactId == "" || it.InitialContactId == "" {
			t.Errorf("%s: item %s lacks Id, Type, ContactId or InitialContactId", s.name, content)
		}
		if _, err := time.Parse("2006-01-02T15:04:05.000Z", it.AbsoluteTime); err != nil {
			t.Errorf("%s: item %s: AbsoluteTime: %v", s.name, content, err)
		}
		if match(it) {
			return it
		}
		skipped = append(skipped, it.Type+" "+it.ContentType)
	}
	t.Fatalf("%s: no %s in 50 frames (saw %v)", s.name, what, skipped)
	return emuItem{}
}

// emuIsEvent matches an EVENT item of a content type (the event suffix after
// application/vnd.amazonaws.connect.event.).
func emuIsEvent(suffix string) func(emuItem) bool {
	return func(it emuItem) bool {
		return it.Type == "EVENT" && it.ContentType == "application/vnd.amazonaws.connect.event."+suffix
	}
}

// emuHasID matches the item with an id.
func emuHasID(id *string) func(emuItem) bool {
	return func(it emuItem) bool { return it.Id == aws.ToString(id) }
}

// emuWantTime checks that a service timestamp is ISO 8601 with milliseconds in
// UTC and lies after earliest.
func emuWantTime(t *testing.T, what string, v *string, earliest time.Time) {
	t.Helper()
	tm, err := time.Parse("2006-01-02T15:04:05.000Z", aws.ToString(v))
	if err != nil {
		t.Errorf("%s %q: %v", what, aws.ToString(v), err)
		return
	}
	if tm.Before(earliest.Truncate(time.Second)) {
		t.Errorf("%s %s is before %s", what, tm, earliest)
	}
}

// TestEmulatorAWSSDKChat plays a whole chat through aws-sdk-go-v2's own
// clients against the emulator: the backend's Connect calls, both
// participants' eleven Participant operations, the attachment PUT and GET,
// and the customer's socket, checking the result of every step.
func TestEmulatorAWSSDKChat(t *testing.T) {
	t.Parallel()
	env := newEmuEnv(t)
	srv := env.srv
	ctx := t.Context()
	began := time.Now()
	cc := env.connectClient()
	pc := env.participantClient()

	// The backend starts the chat.
	start, err := cc.StartChatContact(ctx, &connect.StartChatContactInput{
		InstanceId:                     aws.String(emuInstanceID),
		ContactFlowId:                  aws.String(emuFlowID),
		ParticipantDetails:             &connecttypes.ParticipantDetails{DisplayName: aws.String("Ann")},
		InitialMessage:                 &connecttypes.ChatMessage{ContentType: aws.String("text/plain"), Content: aws.String("Hello, my order is late")},
		SupportedMessagingContentTypes: []string{"text/plain", "text/markdown"},
		ChatDurationInMinutes:          aws.Int32(60),
	})
	if err != nil {
		t.Fatalf("StartChatContact: %v", err)
	}
	contactID := aws.ToString(start.ContactId)
	customerID := aws.ToString(start.ParticipantId)
	if contactID == "" || customerID == "" || aws.ToString(start.ParticipantToken) == "" || start.ContinuedFromContactId != nil {
		t.Fatalf("StartChatContact output: contact %q, participant %q, token set %v, continued from %v",
			contactID, customerID, start.ParticipantToken != nil, start.ContinuedFromContactId)
	}
	// The Connect client signed with SigV4 for the connect service; the
	// Participant client sent no signature.
	for _, r := range srv.Requests() {
		if r.Operation == participanttest.OpStartChatContact {
			auth := r.Header.Get("Authorization")
			if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+emuAccessKey+"/") || !strings.Contains(auth, "/"+emuRegion+"/connect/aws4_request") {
				t.Errorf("StartChatContact Authorization %q: want a SigV4 signature for connect in %s", auth, emuRegion)
			}
			if r.Method != http.MethodPut || r.Path != "/contact/chat" || r.Status != http.StatusOK {
				t.Errorf("StartChatContact went as %s %s and got %d", r.Method, r.Path, r.Status)
			}
		}
	}

	// The customer connects and subscribes.
	custConn, err := pc.CreateParticipantConnection(ctx, &connectparticipant.CreateParticipantConnectionInput{
		ParticipantToken:   start.ParticipantToken,
		Type:               []types.ConnectionType{types.ConnectionTypeWebsocket, types.ConnectionTypeConnectionCredentials},
		ConnectParticipant: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("CreateParticipantConnection (customer): %v", err)
	}
	if custConn.Websocket == nil || custConn.ConnectionCredentials == nil || custConn.WebRTCConnection != nil {
		t.Fatalf("CreateParticipantConnection (customer): websocket %v, credentials %v, webrtc %v", custConn.Websocket, custConn.ConnectionCredentials, custConn.WebRTCConnection)
	}
	if u := aws.ToString(custConn.Websocket.Url); !strings.HasPrefix(u, "ws://127.0.0.1:") {
		t.Errorf("WebSocket URL %q: amazon-connect-chatjs accepts only wss:// and ws://127.0.0.1:", u)
	}
	emuWantTime(t, "Websocket.ConnectionExpiry", custConn.Websocket.ConnectionExpiry, began)
	emuWantTime(t, "ConnectionCredentials.Expiry", custConn.ConnectionCredentials.Expiry, began.Add(23*time.Hour))
	custTok := custConn.ConnectionCredentials.ConnectionToken
	if aws.ToString(custTok) == "" || aws.ToString(custTok) == aws.ToString(start.ParticipantToken) {
		t.Fatalf("the ConnectionToken is empty or the ParticipantToken")
	}
	cust := env.dial(t, "customer socket", aws.ToString(custConn.Websocket.Url))

	// The backend adds an agent, who connects too.
	added, err := cc.CreateParticipant(ctx, &connect.CreateParticipantInput{
		InstanceId: aws.String(emuInstanceID),
		ContactId:  start.ContactId,
		ParticipantDetails: &connecttypes.ParticipantDetailsToAdd{
			DisplayName:     aws.String("Bob"),
			ParticipantRole: connecttypes.ParticipantRoleAgent,
		},
	})
	if err != nil {
		t.Fatalf("CreateParticipant: %v", err)
	}
	agentID := aws.ToString(added.ParticipantId)
	if agentID == "" || agentID == customerID || added.ParticipantCredentials == nil || aws.ToString(added.ParticipantCredentials.ParticipantToken) == "" {
		t.Fatalf("CreateParticipant output: participant %q, credentials %v", agentID, added.ParticipantCredentials)
	}
	emuWantTime(t, "ParticipantCredentials.Expiry", added.ParticipantCredentials.Expiry, began)
	joined := cust.next(t, "the agent's participant.joined", emuIsEvent("participant.joined"))
	if joined.ParticipantId != agentID || joined.ParticipantRole != "AGENT" || joined.DisplayName != "Bob" || joined.ContactId != contactID {
		t.Errorf("participant.joined: %+v, want agent %s Bob of contact %s", joined, agentID, contactID)
	}
	agentConn, err := pc.CreateParticipantConnection(ctx, &connectparticipant.CreateParticipantConnectionInput{
		ParticipantToken:   added.ParticipantCredentials.ParticipantToken,
		Type:               []types.ConnectionType{types.ConnectionTypeWebsocket, types.ConnectionTypeConnectionCredentials},
		ConnectParticipant: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("CreateParticipantConnection (agent): %v", err)
	}
	agentTok := agentConn.ConnectionCredentials.ConnectionToken
	agent := env.dial(t, "agent socket", aws.ToString(agentConn.Websocket.Url))

	// Messages both ways. Each reaches the other side's socket and the
	// sender's own.
	fromCust, err := pc.SendMessage(ctx, &connectparticipant.SendMessageInput{
		ConnectionToken: custTok, ContentType: aws.String("text/plain"), Content: aws.String("Order 1234, ordered two weeks ago"),
	})
	if err != nil {
		t.Fatalf("SendMessage (customer): %v", err)
	}
	emuWantTime(t, "SendMessage AbsoluteTime", fromCust.AbsoluteTime, began)
	if got := agent.next(t, "the customer's message", emuHasID(fromCust.Id)); got.Type != "MESSAGE" || got.ParticipantId != customerID ||
		got.ParticipantRole != "CUSTOMER" || got.Content != "Order 1234, ordered two weeks ago" || got.AbsoluteTime != aws.ToString(fromCust.AbsoluteTime) {
		t.Errorf("agent socket got %+v", got)
	}
	cust.next(t, "its own message", emuHasID(fromCust.Id))

	fromAgent, err := pc.SendMessage(ctx, &connectparticipant.SendMessageInput{
		ConnectionToken: agentTok, ContentType: aws.String("text/markdown"), Content: aws.String("Sorry about that, **Ann**. Let me look."),
	})
	if err != nil {
		t.Fatalf("SendMessage (agent): %v", err)
	}
	got := cust.next(t, "the agent's message", emuHasID(fromAgent.Id))
	if got.Type != "MESSAGE" || got.ContentType != "text/markdown" || got.Content != "Sorry about that, **Ann**. Let me look." ||
		got.ParticipantId != agentID || got.ParticipantRole != "AGENT" || got.DisplayName != "Bob" ||
		got.ContactId != contactID || got.InitialContactId != contactID || got.AbsoluteTime != aws.ToString(fromAgent.AbsoluteTime) {
		t.Errorf("customer socket got %+v for the agent's message", got)
	}

	// Typing from the customer, a read receipt from the agent.
	typing, err := pc.SendEvent(ctx, &connectparticipant.SendEventInput{
		ConnectionToken: custTok, ContentType: aws.String("application/vnd.amazonaws.connect.event.typing"),
	})
	if err != nil {
		t.Fatalf("SendEvent typing: %v", err)
	}
	if got := agent.next(t, "typing", emuIsEvent("typing")); got.Id != aws.ToString(typing.Id) || got.ParticipantId != customerID {
		t.Errorf("typing on the agent socket: %+v, want id %s from %s", got, aws.ToString(typing.Id), customerID)
	}
	read, err := pc.SendEvent(ctx, &connectparticipant.SendEventInput{
		ConnectionToken: agentTok,
		ContentType:     aws.String("application/vnd.amazonaws.connect.event.message.read"),
		Content:         aws.String(`{"messageId":"` + aws.ToString(fromCust.Id) + `"}`),
	})
	if err != nil {
		t.Fatalf("SendEvent read receipt: %v", err)
	}
	receipt := cust.next(t, "the read receipt", func(it emuItem) bool { return it.Type == "MESSAGEMETADATA" })
	if receipt.Id != aws.ToString(read.Id) || receipt.ContentType != "application/vnd.amazonaws.connect.event.message.metadata" ||
		receipt.MessageMetadata == nil || receipt.MessageMetadata.MessageId != aws.ToString(fromCust.Id) ||
		len(receipt.MessageMetadata.Receipts) != 1 || receipt.MessageMetadata.Receipts[0].RecipientParticipantId != agentID ||
		receipt.MessageMetadata.Receipts[0].ReadTimestamp == "" {
		t.Errorf("receipt on the customer socket: %+v", receipt)
	}

	// The whole transcript, two items a page, through the SDK's paginator:
	// BACKWARD from the most recent item, DESCENDING, so the pages run
	// newest first.
	pager := connectparticipant.NewGetTranscriptPaginator(pc, &connectparticipant.GetTranscriptInput{
		ConnectionToken: custTok,
		MaxResults:      aws.Int32(2),
		ScanDirection:   types.ScanDirectionBackward,
		SortOrder:       types.SortKeyDescending,
	})
	var items []types.Item
	pages := 0
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("GetTranscript page %d: %v", pages+1, err)
		}
		pages++
		if aws.ToString(page.InitialContactId) != contactID || len(page.Transcript) > 2 {
			t.Errorf("page %d: InitialContactId %q, %d items", pages, aws.ToString(page.InitialContactId), len(page.Transcript))
		}
		items = append(items, page.Transcript...)
	}
	slices.Reverse(items)
	want := srv.Transcript(contactID)
	// participant.joined ×2, the initial message and two messages; typing
	// and receipts are not transcript items.
	if len(want) != 5 || len(items) != len(want) || pages != 3 {
		t.Fatalf("paginator: %d items in %d pages; the server holds %d, want 5 in 3", len(items), pages, len(want))
	}
	for i, it := range items {
		w := want[i]
		if aws.ToString(it.Id) != w.ID || string(it.Type) != w.Type || aws.ToString(it.ContentType) != w.ContentType ||
			aws.ToString(it.Content) != w.Content || aws.ToString(it.ParticipantId) != w.ParticipantID ||
			string(it.ParticipantRole) != w.ParticipantRole || aws.ToString(it.AbsoluteTime) != w.AbsoluteTime {
			t.Errorf("transcript item %d: %+v, want %+v", i, it, w)
		}
	}
	if m := items[3]; aws.ToString(m.Id) != aws.ToString(fromCust.Id) || m.MessageMetadata == nil || len(m.MessageMetadata.Receipts) != 1 ||
		aws.ToString(m.MessageMetadata.Receipts[0].RecipientParticipantId) != agentID || aws.ToString(m.MessageMetadata.Receipts[0].ReadTimestamp) == "" {
		t.Errorf("the customer's message in the transcript does not carry the agent's read receipt: %+v", m.MessageMetadata)
	}
	if aws.ToString(items[1].Content) != "Hello, my order is late" || aws.ToString(items[1].ParticipantId) != customerID {
		t.Errorf("the initial message is not the second item: %+v", items[1])
	}

	// An attachment: start, PUT with exactly HeadersToInclude, complete,
	// then download it as the agent.
	file := []byte("order,placed,status\n1234,2 weeks ago,late\n")
	upload, err := pc.StartAttachmentUpload(ctx, &connectparticipant.StartAttachmentUploadInput{
		ConnectionToken:       custTok,
		AttachmentName:        aws.String("order.csv"),
		AttachmentSizeInBytes: int64(len(file)),
		ContentType:           aws.String("text/csv"),
	})
	if err != nil {
		t.Fatalf("StartAttachmentUpload: %v", err)
	}
	attID := aws.ToString(upload.AttachmentId)
	um := upload.UploadMetadata
	if attID == "" || um == nil || um.Url == nil || um.HeadersToInclude["Content-Type"] != "text/csv" || um.HeadersToInclude["Content-Disposition"] == "" {
		t.Fatalf("StartAttachmentUpload output: id %q, metadata %+v", attID, um)
	}
	emuWantTime(t, "UploadMetadata.UrlExpiry", um.UrlExpiry, began)
	put, err := http.NewRequestWithContext(ctx, http.MethodPut, aws.ToString(um.Url), bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range um.HeadersToInclude {
		put.Header.Set(k, v)
	}
	resp, err := env.httpClient().Do(put)
	if err != nil {
		t.Fatalf("PUT to the upload URL: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	sum := md5.Sum(file)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") != `"`+hex.EncodeToString(sum[:])+`"` {
		t.Fatalf("PUT to the upload URL: %d %s, ETag %q", resp.StatusCode, body, resp.Header.Get("ETag"))
	}
	if _, err := pc.CompleteAttachmentUpload(ctx, &connectparticipant.CompleteAttachmentUploadInput{
		ConnectionToken: custTok, AttachmentIds: []string{attID},
	}); err != nil {
		t.Fatalf("CompleteAttachmentUpload: %v", err)
	}
	att := agent.next(t, "the attachment", func(it emuItem) bool { return it.Type == "ATTACHMENT" })
	if len(att.Attachments) != 1 || att.Attachments[0].AttachmentId != attID || att.Attachments[0].AttachmentName != "order.csv" ||
		att.Attachments[0].ContentType != "text/csv" || att.Attachments[0].Status != "APPROVED" || att.ParticipantId != customerID {
		t.Errorf("ATTACHMENT item on the agent socket: %+v", att)
	}
	dl, err := pc.GetAttachment(ctx, &connectparticipant.GetAttachmentInput{
		ConnectionToken: agentTok, AttachmentId: aws.String(attID), UrlExpiryInSeconds: aws.Int32(60),
	})
	if err != nil {
		t.Fatalf("GetAttachment: %v", err)
	}
	if aws.ToInt64(dl.AttachmentSizeInBytes) != int64(len(file)) {
		t.Errorf("GetAttachment AttachmentSizeInBytes %d, want %d", aws.ToInt64(dl.AttachmentSizeInBytes), len(file))
	}
	emuWantTime(t, "GetAttachment UrlExpiry", dl.UrlExpiry, began)
	get, err := http.NewRequestWithContext(ctx, http.MethodGet, aws.ToString(dl.Url), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err = env.httpClient().Do(get)
	if err != nil {
		t.Fatalf("GET of the download URL: %v", err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, file) || resp.Header.Get("Content-Type") != "text/csv" {
		t.Errorf("GET of the download URL: %d %q (%s), want 200 with the file as text/csv", resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}

	// A view of an interactive message.
	view := participanttest.View{
		ID: "b1c2d3e4", ARN: "arn:aws:connect:us-east-1:123456789012:instance/" + emuInstanceID + "/view/b1c2d3e4",
		Name: "Order picker", Version: 3,
		Content: participanttest.ViewContent{InputSchema: `{"type":"object"}`, Template: `{"Head":{"Title":"Pick"}}`, Actions: []string{"Pick", "Cancel"}},
	}
	srv.RegisterView("view/token+1=", view)
	dv, err := pc.DescribeView(ctx, &connectparticipant.DescribeViewInput{ConnectionToken: custTok, ViewToken: aws.String("view/token+1=")})
	if err != nil {
		t.Fatalf("DescribeView: %v", err)
	}
	if v := dv.View; v == nil || v.Content == nil || aws.ToString(v.Id) != view.ID || aws.ToString(v.Arn) != view.ARN || aws.ToString(v.Name) != view.Name ||
		aws.ToInt32(v.Version) != 3 || aws.ToString(v.Content.InputSchema) != view.Content.InputSchema ||
		aws.ToString(v.Content.Template) != view.Content.Template || !slices.Equal(v.Content.Actions, view.Content.Actions) {
		t.Errorf("DescribeView: %+v", dv.View)
	}

	// Customer authentication: one session cancelled, one completed on the
	// emulator's authorization page.
	sid, err := srv.StartAuthentication(contactID)
	if err != nil {
		t.Fatal(err)
	}
	if ev := cust.next(t, "authentication.initiated", emuIsEvent("authentication.initiated")); ev.Content != `{"SessionId":"`+sid+`"}` {
		t.Errorf("authentication.initiated content %q", ev.Content)
	}
	au, err := pc.GetAuthenticationUrl(ctx, &connectparticipant.GetAuthenticationUrlInput{
		ConnectionToken: custTok, SessionId: aws.String(sid), RedirectUri: aws.String("https://widget.example.test/done"),
	})
	if err != nil {
		t.Fatalf("GetAuthenticationUrl: %v", err)
	}
	if !strings.HasPrefix(aws.ToString(au.AuthenticationUrl), srv.URL+"/") {
		t.Errorf("AuthenticationUrl %q is not on the emulator", aws.ToString(au.AuthenticationUrl))
	}
	if _, err := pc.CancelParticipantAuthentication(ctx, &connectparticipant.CancelParticipantAuthenticationInput{
		ConnectionToken: custTok, SessionId: aws.String(sid),
	}); err != nil {
		t.Fatalf("CancelParticipantAuthentication: %v", err)
	}
	if ev := cust.next(t, "authentication.cancelled", emuIsEvent("authentication.cancelled")); ev.Content != `{"SessionId":"`+sid+`"}` {
		t.Errorf("authentication.cancelled content %q", ev.Content)
	}
	sid2, err := srv.StartAuthentication(contactID)
	if err != nil {
		t.Fatal(err)
	}
	au, err = pc.GetAuthenticationUrl(ctx, &connectparticipant.GetAuthenticationUrlInput{
		ConnectionToken: custTok, SessionId: aws.String(sid2), RedirectUri: aws.String("https://widget.example.test/done"),
	})
	if err != nil {
		t.Fatalf("GetAuthenticationUrl (second session): %v", err)
	}
	page, err := http.NewRequestWithContext(ctx, http.MethodGet, aws.ToString(au.AuthenticationUrl), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err = env.httpClient().Do(page)
	if err != nil {
		t.Fatalf("opening the AuthenticationUrl: %v", err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc == nil || loc.Host != "widget.example.test" || loc.Query().Get("code") == "" {
		t.Errorf("the authentication page answered %d, Location %q; want 302 to the RedirectUri with a code", resp.StatusCode, resp.Header.Get("Location"))
	}
	if ev := cust.next(t, "authentication.succeeded", emuIsEvent("authentication.succeeded")); ev.Content != `{"SessionId":"`+sid2+`"}` {
		t.Errorf("authentication.succeeded content %q", ev.Content)
	}

	// The agent leaves; the chat goes on until the backend stops it.
	if _, err := pc.DisconnectParticipant(ctx, &connectparticipant.DisconnectParticipantInput{ConnectionToken: agentTok}); err != nil {
		t.Fatalf("DisconnectParticipant: %v", err)
	}
	if left := cust.next(t, "participant.left", emuIsEvent("participant.left")); left.ParticipantId != agentID || left.ParticipantRole != "AGENT" {
		t.Errorf("participant.left: %+v", left)
	}
	if _, err := pc.SendEvent(ctx, &connectparticipant.SendEventInput{
		ConnectionToken: custTok, ContentType: aws.String("application/vnd.amazonaws.connect.event.typing"),
	}); err != nil {
		t.Errorf("the customer cannot send after the agent left: %v", err)
	}
	if _, err := cc.StopContact(ctx, &connect.StopContactInput{
		InstanceId: aws.String(emuInstanceID), ContactId: start.ContactId,
		DisconnectReason: &connecttypes.DisconnectReason{Code: aws.String("CUSTOMER_RESOLVED")},
	}); err != nil {
		t.Fatalf("StopContact: %v", err)
	}
	cust.next(t, "chat.ended", emuIsEvent("chat.ended"))
	_, err = pc.SendMessage(ctx, &connectparticipant.SendMessageInput{
		ConnectionToken: custTok, ContentType: aws.String("text/plain"), Content: aws.String("still there?"),
	})
	var denied *types.AccessDeniedException
	if !errors.As(err, &denied) {
		t.Errorf("SendMessage after StopContact: %v, want *types.AccessDeniedException", err)
	}
}

// emuChat is a chat the error cases start from the server's Go API: a
// customer and an agent, both connected.
type emuChat struct {
	env                   *emuEnv
	contactID             string
	customer, agent       participanttest.Participant
	custToken, agentToken string
}

func newEmuChat(t *testing.T, env *emuEnv) *emuChat {
	t.Helper()
	cust, err := env.srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann", InitialMessage: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	agent, err := env.srv.AddParticipant(cust.ContactID, participanttest.RoleAgent, "Bob")
	if err != nil {
		t.Fatal(err)
	}
	cc, err := env.srv.Connect(cust.ParticipantToken)
	if err != nil {
		t.Fatal(err)
	}
	ac, err := env.srv.Connect(agent.ParticipantToken)
	if err != nil {
		t.Fatal(err)
	}
	return &emuChat{env: env, contactID: cust.ContactID, customer: cust, agent: agent,
		custToken: cc.ConnectionToken.Reveal(), agentToken: ac.ConnectionToken.Reveal()}
}

// firstMessage returns the id of the customer's initial message.
func (c *emuChat) firstMessage(t *testing.T) string {
	t.Helper()
	for _, it := range c.env.srv.Transcript(c.contactID) {
		if it.Type == participanttest.TypeMessage {
			return it.ID
		}
	}
	t.Fatal("no message in the transcript")
	return ""
}

// uploaded starts and uploads an attachment of the customer, ready to be
// completed.
func (c *emuChat) uploaded(t *testing.T, ctx context.Context, pc *connectparticipant.Client) string {
	t.Helper()
	data := []byte("receipt")
	up, err := pc.StartAttachmentUpload(ctx, &connectparticipant.StartAttachmentUploadInput{
		ConnectionToken: aws.String(c.custToken), AttachmentName: aws.String("r.txt"),
		AttachmentSizeInBytes: int64(len(data)), ContentType: aws.String("text/plain"),
	})
	if err != nil {
		t.Fatalf("StartAttachmentUpload: %v", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, aws.ToString(up.UploadMetadata.Url), bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range up.UploadMetadata.HeadersToInclude {
		req.Header.Set(k, v)
	}
	resp, err := c.env.httpClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("upload: %d", resp.StatusCode)
	}
	return aws.ToString(up.AttachmentId)
}

// emuWantThrottle checks that aws-sdk-go-v2's standard retryer takes err for
// throttling, so it would back off and retry.
func emuWantThrottle(t *testing.T, err error) {
	t.Helper()
	if retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) != aws.TrueTernary {
		t.Errorf("aws-sdk-go-v2's standard retryer does not take %v for throttling", err)
	}
}

// emuErrorAs reports whether err holds a T.
func emuErrorAs[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

// TestEmulatorAWSSDKErrors checks that the emulator's error responses come
// out of aws-sdk-go-v2 as its typed errors, with the operation, the HTTP
// status, a request id and a message. Retries are off, so each case is one
// request.
func TestEmulatorAWSSDKErrors(t *testing.T) {
	t.Parallel()
	typing := aws.String("application/vnd.amazonaws.connect.event.typing")
	readReceipt := aws.String("application/vnd.amazonaws.connect.event.message.read")
	cases := []struct {
		name   string
		opts   []participanttest.Option
		op     string // the operation the error must name
		status int
		code   string
		isType func(error) bool
		// call makes the failing request; pc and cc are aws-sdk-go-v2's
		// clients with retries off.
		call func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, cc *connect.Client) error
		// check, when set, looks further into the typed error.
		check func(t *testing.T, err error)
	}{
		{
			name: "ValidationException: SendMessage of a content type that is not a message's",
			op:   "SendMessage", status: 400, code: "ValidationException", isType: emuErrorAs[*types.ValidationException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, _ *connect.Client) error {
				_, err := pc.SendMessage(ctx, &connectparticipant.SendMessageInput{ConnectionToken: aws.String(c.custToken), ContentType: aws.String("text/html"), Content: aws.String("<b>hi</b>")})
				return err
			},
		},
		{
			name: "ValidationException: SendMessage of 1025 characters of text/plain",
			op:   "SendMessage", status: 400, code: "ValidationException", isType: emuErrorAs[*types.ValidationException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, _ *connect.Client) error {
				_, err := pc.SendMessage(ctx, &connectparticipant.SendMessageInput{ConnectionToken: aws.String(c.custToken), ContentType: aws.String("text/plain"), Content: aws.String(strings.Repeat("é", 1025))})
				return err
			},
		},
		{
			name: "ValidationException: GetTranscript FORWARD without a StartPosition",
			op:   "GetTranscript", status: 400, code: "ValidationException", isType: emuErrorAs[*types.ValidationException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, _ *connect.Client) error {
				_, err := pc.GetTranscript(ctx, &connectparticipant.GetTranscriptInput{ConnectionToken: aws.String(c.custToken), ScanDirection: types.ScanDirectionForward})
				return err
			},
		},
		{
			name: "ValidationException: GetTranscript MaxResults 101",
			op:   "GetTranscript", status: 400, code: "ValidationException", isType: emuErrorAs[*types.ValidationException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, _ *connect.Client) error {
				_, err := pc.GetTranscript(ctx, &connectparticipant.GetTranscriptInput{ConnectionToken: aws.String(c.custToken), MaxResults: aws.Int32(101)})
				return err
			},
		},
		{
			name: "ValidationException: GetAttachment UrlExpiryInSeconds 1",
			op:   "GetAttachment", status: 400, code: "ValidationException", isType: emuErrorAs[*types.ValidationException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, _ *connect.Client) error {
				_, err := pc.GetAttachment(ctx, &connectparticipant.GetAttachmentInput{ConnectionToken: aws.String(c.custToken), AttachmentId: aws.String("a"), UrlExpiryInSeconds: aws.Int32(1)})
				return err
			},
		},
		{
			name: "ValidationException: CreateParticipantConnection WEBRTC_CONNECTION",
			op:   "CreateParticipantConnection", status: 400, code: "ValidationException", isType: emuErrorAs[*types.ValidationException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, _ *connect.Client) error {
				_, err := pc.CreateParticipantConnection(ctx, &connectparticipant.CreateParticipantConnectionInput{
					ParticipantToken: aws.String(c.customer.ParticipantToken.Reveal()), Type: []types.ConnectionType{types.ConnectionTypeWebrtcConnection},
				})
				return err
			},
		},
		{
			name: "ValidationException: GetAuthenticationUrl of a cancelled session",
			op:   "GetAuthenticationUrl", status: 400, code: "ValidationException", isType: emuErrorAs[*types.ValidationException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, _ *connect.Client) error {
				sid, err := c.env.srv.StartAuthentication(c.contactID)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := pc.CancelParticipantAuthentication(ctx, &connectparticipant.CancelParticipantAuthenticationInput{ConnectionToken: aws.String(c.custToken), SessionId: aws.String(sid)}); err != nil {
					t.Fatalf("CancelParticipantAuthentication: %v", err)
				}
				_, err = pc.GetAuthenticationUrl(ctx, &connectparticipant.GetAuthenticationUrlInput{ConnectionToken: aws.String(c.custToken), SessionId: aws.String(sid), RedirectUri: aws.String("https://x.example.test/")})
				return err
			},
		},
		{
			name: "ValidationException: CancelParticipantAuthentication with a short SessionId",
			op:   "CancelParticipantAuthentication", status: 400, code: "ValidationException", isType: emuErrorAs[*types.ValidationException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, _ *connect.Client) error {
				_, err := pc.CancelParticipantAuthentication(ctx, &connectparticipant.CancelParticipantAuthenticationInput{ConnectionToken: aws.String(c.custToken), SessionId: aws.String("short")})
				return err
			},
		},
		{
			name: "AccessDeniedException: SendEvent with an unknown ConnectionToken",
			op:   "SendEvent", status: 403, code: "AccessDeniedException", isType: emuErrorAs[*types.AccessDeniedException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, _ *connect.Client) error {
				_, err := pc.SendEvent(ctx, &connectparticipant.SendEventInput{ConnectionToken: aws.String("not-a-token-the-emulator-issued"), ContentType: typing})
				return err
			},
		},
		{
			name: "AccessDeniedException: SendMessage with the ParticipantToken",
			op:   "SendMessage", status: 403, code: "AccessDeniedException", isType: emuErrorAs[*types.AccessDeniedException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, _ *connect.Client) error {
				_, err := pc.SendMessage(ctx, &connectparticipant.SendMessageInput{ConnectionToken: aws.String(c.customer.ParticipantToken.Reveal()), ContentType: aws.String("text/plain"), Content: aws.String("hi")})
				return err
			},
		},
		{
			name: "AccessDeniedException: GetTranscript of an ended chat",
			op:   "GetTranscript", status: 403, code: "AccessDeniedException", isType: emuErrorAs[*types.AccessDeniedException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, _ *connect.Client) error {
				if err := c.env.srv.StopContact(c.contactID); err != nil {
					t.Fatal(err)
				}
				_, err := pc.GetTranscript(ctx, &connectparticipant.GetTranscriptInput{ConnectionToken: aws.String(c.custToken)})
				return err
			},
		},
		{
			name: "AccessDeniedException: CreateParticipantConnection after the chat ended",
			op:   "CreateParticipantConnection", status: 403, code: "AccessDeniedException", isType: emuErrorAs[*types.AccessDeniedException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, cc *connect.Client) error {
				if _, err := cc.StopContact(ctx, &connect.StopContactInput{InstanceId: aws.String(emuInstanceID), ContactId: aws.String(c.contactID)}); err != nil {
					t.Fatalf("StopContact: %v", err)
				}
				_, err := pc.CreateParticipantConnection(ctx, &connectparticipant.CreateParticipantConnectionInput{
					ParticipantToken: aws.String(c.customer.ParticipantToken.Reveal()), Type: []types.ConnectionType{types.ConnectionTypeConnectionCredentials},
				})
				return err
			},
		},
		{
			name: "AccessDeniedException: DescribeView after the participant left",
			op:   "DescribeView", status: 403, code: "AccessDeniedException", isType: emuErrorAs[*types.AccessDeniedException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, _ *connect.Client) error {
				if _, err := pc.DisconnectParticipant(ctx, &connectparticipant.DisconnectParticipantInput{ConnectionToken: aws.String(c.agentToken)}); err != nil {
					t.Fatalf("DisconnectParticipant: %v", err)
				}
				c.env.srv.RegisterView("v", participanttest.View{ID: "v"})
				_, err := pc.DescribeView(ctx, &connectparticipant.DescribeViewInput{ConnectionToken: aws.String(c.agentToken), ViewToken: aws.String("v")})
				return err
			},
		},
		{
			name: "ConflictException: a read receipt among three participants",
			op:   "SendEvent", status: 409, code: "ConflictException", isType: emuErrorAs[*types.ConflictException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, _ *connect.Client) error {
				if _, err := c.env.srv.AddParticipant(c.contactID, participanttest.RoleSupervisor, "Sue"); err != nil {
					t.Fatal(err)
				}
				_, err := pc.SendEvent(ctx, &connectparticipant.SendEventInput{
					ConnectionToken: aws.String(c.agentToken), ContentType: readReceipt,
					Content: aws.String(`{"messageId":"` + c.firstMessage(t) + `"}`),
				})
				return err
			},
		},
		{
			name: "ConflictException: a second CompleteAttachmentUpload",
			op:   "CompleteAttachmentUpload", status: 409, code: "ConflictException", isType: emuErrorAs[*types.ConflictException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, _ *connect.Client) error {
				id := c.uploaded(t, ctx, pc)
				in := connectparticipant.CompleteAttachmentUploadInput{ConnectionToken: aws.String(c.custToken), AttachmentIds: []string{id}}
				first := in
				if _, err := pc.CompleteAttachmentUpload(ctx, &first); err != nil {
					t.Fatalf("first CompleteAttachmentUpload: %v", err)
				}
				second := in // a fresh input: a new generated ClientToken
				_, err := pc.CompleteAttachmentUpload(ctx, &second)
				return err
			},
		},
		{
			name: "ResourceNotFoundException: DescribeView of an unknown view token",
			op:   "DescribeView", status: 404, code: "ResourceNotFoundException", isType: emuErrorAs[*types.ResourceNotFoundException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, _ *connect.Client) error {
				_, err := pc.DescribeView(ctx, &connectparticipant.DescribeViewInput{ConnectionToken: aws.String(c.custToken), ViewToken: aws.String("no-such-view")})
				return err
			},
			check: func(t *testing.T, err error) {
				var nf *types.ResourceNotFoundException
				errors.As(err, &nf)
				if aws.ToString(nf.ResourceId) != "no-such-view" || nf.ResourceType != "" {
					t.Errorf("ResourceId %q, ResourceType %q; want the view token and none", aws.ToString(nf.ResourceId), nf.ResourceType)
				}
			},
		},
		{
			name: "ServiceQuotaExceededException: more attachments than WithAttachmentLimit",
			opts: []participanttest.Option{participanttest.WithAttachmentLimit(1)},
			op:   "StartAttachmentUpload", status: 402, code: "ServiceQuotaExceededException", isType: emuErrorAs[*types.ServiceQuotaExceededException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, _ *connect.Client) error {
				in := connectparticipant.StartAttachmentUploadInput{
					ConnectionToken: aws.String(c.custToken), AttachmentName: aws.String("a.pdf"),
					AttachmentSizeInBytes: 10, ContentType: aws.String("application/pdf"),
				}
				first := in
				if _, err := pc.StartAttachmentUpload(ctx, &first); err != nil {
					t.Fatalf("first StartAttachmentUpload: %v", err)
				}
				second := in
				_, err := pc.StartAttachmentUpload(ctx, &second)
				return err
			},
		},
		{
			name: "ThrottlingException: an injected Fail",
			op:   "SendEvent", status: 429, code: "ThrottlingException", isType: emuErrorAs[*types.ThrottlingException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, _ *connect.Client) error {
				c.env.srv.Inject(participanttest.Fail(participanttest.OpSendEvent, "ThrottlingException"))
				_, err := pc.SendEvent(ctx, &connectparticipant.SendEventInput{ConnectionToken: aws.String(c.custToken), ContentType: typing})
				if ferr := c.env.srv.CheckFaults(); ferr != nil {
					t.Error(ferr)
				}
				return err
			},
			check: emuWantThrottle,
		},
		{
			name: "ThrottlingException: an injected Throttle bucket",
			op:   "GetTranscript", status: 429, code: "ThrottlingException", isType: emuErrorAs[*types.ThrottlingException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, _ *connect.Client) error {
				c.env.srv.Inject(participanttest.Throttle(participanttest.OpGetTranscript, 0.001, 1))
				if _, err := pc.GetTranscript(ctx, &connectparticipant.GetTranscriptInput{ConnectionToken: aws.String(c.custToken)}); err != nil {
					t.Fatalf("the burst's GetTranscript: %v", err)
				}
				_, err := pc.GetTranscript(ctx, &connectparticipant.GetTranscriptInput{ConnectionToken: aws.String(c.custToken)})
				return err
			},
			check: emuWantThrottle,
		},
		{
			name: "InternalServerException: an injected Fail",
			op:   "GetAttachment", status: 500, code: "InternalServerException", isType: emuErrorAs[*types.InternalServerException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, _ *connect.Client) error {
				c.env.srv.Inject(participanttest.Fail(participanttest.OpGetAttachment, "InternalServerException"))
				_, err := pc.GetAttachment(ctx, &connectparticipant.GetAttachmentInput{ConnectionToken: aws.String(c.custToken), AttachmentId: aws.String("a")})
				return err
			},
			check: func(t *testing.T, err error) {
				if retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) != aws.TrueTernary {
					t.Errorf("aws-sdk-go-v2's standard retryer would not retry %v", err)
				}
			},
		},

		// Amazon Connect's own errors, through service/connect.
		{
			name: "connect InvalidParameterException: StartChatContact of 30 minutes",
			op:   "StartChatContact", status: 400, code: "InvalidParameterException", isType: emuErrorAs[*connecttypes.InvalidParameterException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, _ *connectparticipant.Client, cc *connect.Client) error {
				_, err := cc.StartChatContact(ctx, &connect.StartChatContactInput{
					InstanceId: aws.String(emuInstanceID), ContactFlowId: aws.String(emuFlowID),
					ParticipantDetails:    &connecttypes.ParticipantDetails{DisplayName: aws.String("Ann")},
					ChatDurationInMinutes: aws.Int32(30),
				})
				return err
			},
		},
		{
			name: "connect InvalidParameterException: StartChatContact without text/plain",
			op:   "StartChatContact", status: 400, code: "InvalidParameterException", isType: emuErrorAs[*connecttypes.InvalidParameterException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, _ *connectparticipant.Client, cc *connect.Client) error {
				_, err := cc.StartChatContact(ctx, &connect.StartChatContactInput{
					InstanceId: aws.String(emuInstanceID), ContactFlowId: aws.String(emuFlowID),
					ParticipantDetails:             &connecttypes.ParticipantDetails{DisplayName: aws.String("Ann")},
					SupportedMessagingContentTypes: []string{"text/markdown"},
				})
				return err
			},
		},
		{
			name: "connect ResourceNotFoundException: StartChatContact continuing an unknown contact",
			op:   "StartChatContact", status: 404, code: "ResourceNotFoundException", isType: emuErrorAs[*connecttypes.ResourceNotFoundException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, _ *connectparticipant.Client, cc *connect.Client) error {
				_, err := cc.StartChatContact(ctx, &connect.StartChatContactInput{
					InstanceId: aws.String(emuInstanceID), ContactFlowId: aws.String(emuFlowID),
					ParticipantDetails: &connecttypes.ParticipantDetails{DisplayName: aws.String("Ann")},
					PersistentChat:     &connecttypes.PersistentChat{SourceContactId: aws.String("no-such-contact"), RehydrationType: connecttypes.RehydrationTypeFromSegment},
				})
				return err
			},
		},
		{
			name: "connect InvalidRequestException: StartChatContact continuing a live contact",
			op:   "StartChatContact", status: 400, code: "InvalidRequestException", isType: emuErrorAs[*connecttypes.InvalidRequestException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, _ *connectparticipant.Client, cc *connect.Client) error {
				_, err := cc.StartChatContact(ctx, &connect.StartChatContactInput{
					InstanceId: aws.String(emuInstanceID), ContactFlowId: aws.String(emuFlowID),
					ParticipantDetails: &connecttypes.ParticipantDetails{DisplayName: aws.String("Ann")},
					PersistentChat:     &connecttypes.PersistentChat{SourceContactId: aws.String(c.contactID), RehydrationType: connecttypes.RehydrationTypeFromSegment},
				})
				return err
			},
		},
		{
			name: "connect LimitExceededException: an injected Fail on StartChatContact",
			op:   "StartChatContact", status: 429, code: "LimitExceededException", isType: emuErrorAs[*connecttypes.LimitExceededException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, _ *connectparticipant.Client, cc *connect.Client) error {
				c.env.srv.Inject(participanttest.Fail(participanttest.OpStartChatContact, "LimitExceededException"))
				_, err := cc.StartChatContact(ctx, &connect.StartChatContactInput{
					InstanceId: aws.String(emuInstanceID), ContactFlowId: aws.String(emuFlowID),
					ParticipantDetails: &connecttypes.ParticipantDetails{DisplayName: aws.String("Ann")},
				})
				return err
			},
		},
		{
			name: "connect ResourceNotFoundException: CreateParticipant in an unknown contact",
			op:   "CreateParticipant", status: 404, code: "ResourceNotFoundException", isType: emuErrorAs[*connecttypes.ResourceNotFoundException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, _ *connectparticipant.Client, cc *connect.Client) error {
				_, err := cc.CreateParticipant(ctx, &connect.CreateParticipantInput{
					InstanceId: aws.String(emuInstanceID), ContactId: aws.String("no-such-contact"),
					ParticipantDetails: &connecttypes.ParticipantDetailsToAdd{DisplayName: aws.String("Bot"), ParticipantRole: connecttypes.ParticipantRoleCustomBot},
				})
				return err
			},
		},
		{
			name: "connect InvalidRequestException: CreateParticipant in an ended contact",
			op:   "CreateParticipant", status: 400, code: "InvalidRequestException", isType: emuErrorAs[*connecttypes.InvalidRequestException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, _ *connectparticipant.Client, cc *connect.Client) error {
				if err := c.env.srv.StopContact(c.contactID); err != nil {
					t.Fatal(err)
				}
				_, err := cc.CreateParticipant(ctx, &connect.CreateParticipantInput{
					InstanceId: aws.String(emuInstanceID), ContactId: aws.String(c.contactID),
					ParticipantDetails: &connecttypes.ParticipantDetailsToAdd{DisplayName: aws.String("Bot"), ParticipantRole: connecttypes.ParticipantRoleCustomBot},
				})
				return err
			},
		},
		{
			name: "connect InvalidRequestException: CreateParticipant of a CUSTOMER",
			op:   "CreateParticipant", status: 400, code: "InvalidRequestException", isType: emuErrorAs[*connecttypes.InvalidRequestException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, _ *connectparticipant.Client, cc *connect.Client) error {
				_, err := cc.CreateParticipant(ctx, &connect.CreateParticipantInput{
					InstanceId: aws.String(emuInstanceID), ContactId: aws.String(c.contactID),
					ParticipantDetails: &connecttypes.ParticipantDetailsToAdd{DisplayName: aws.String("Eve"), ParticipantRole: connecttypes.ParticipantRoleCustomer},
				})
				return err
			},
		},
		{
			name: "connect ThrottlingException: an injected Fail on CreateParticipant",
			op:   "CreateParticipant", status: 429, code: "ThrottlingException", isType: emuErrorAs[*connecttypes.ThrottlingException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, _ *connectparticipant.Client, cc *connect.Client) error {
				c.env.srv.Inject(participanttest.Fail(participanttest.OpCreateParticipant, "ThrottlingException"))
				_, err := cc.CreateParticipant(ctx, &connect.CreateParticipantInput{
					InstanceId: aws.String(emuInstanceID), ContactId: aws.String(c.contactID),
					ParticipantDetails: &connecttypes.ParticipantDetailsToAdd{DisplayName: aws.String("Bot"), ParticipantRole: connecttypes.ParticipantRoleCustomBot},
				})
				return err
			},
		},
		{
			name: "connect ContactNotFoundException: StopContact of an unknown contact",
			op:   "StopContact", status: 410, code: "ContactNotFoundException", isType: emuErrorAs[*connecttypes.ContactNotFoundException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, _ *connectparticipant.Client, cc *connect.Client) error {
				_, err := cc.StopContact(ctx, &connect.StopContactInput{InstanceId: aws.String(emuInstanceID), ContactId: aws.String("no-such-contact")})
				return err
			},
		},
		{
			name: "connect ContactNotFoundException: StopContact of an ended contact",
			op:   "StopContact", status: 410, code: "ContactNotFoundException", isType: emuErrorAs[*connecttypes.ContactNotFoundException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, _ *connectparticipant.Client, cc *connect.Client) error {
				in := connect.StopContactInput{InstanceId: aws.String(emuInstanceID), ContactId: aws.String(c.contactID)}
				first := in
				if _, err := cc.StopContact(ctx, &first); err != nil {
					t.Fatalf("first StopContact: %v", err)
				}
				second := in
				_, err := cc.StopContact(ctx, &second)
				return err
			},
		},
		{
			name: "connect InvalidParameterException: StopContact with a 129-character DisconnectReason",
			op:   "StopContact", status: 400, code: "InvalidParameterException", isType: emuErrorAs[*connecttypes.InvalidParameterException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, _ *connectparticipant.Client, cc *connect.Client) error {
				_, err := cc.StopContact(ctx, &connect.StopContactInput{
					InstanceId: aws.String(emuInstanceID), ContactId: aws.String(c.contactID),
					DisconnectReason: &connecttypes.DisconnectReason{Code: aws.String(strings.Repeat("x", 129))},
				})
				return err
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newEmuEnv(t, tc.opts...)
			c := newEmuChat(t, env)
			pc := env.participantClient(func(o *connectparticipant.Options) { o.RetryMaxAttempts = 1 })
			cc := env.connectClient(func(o *connect.Options) { o.RetryMaxAttempts = 1 })
			ctx := t.Context()
			before := len(env.srv.Requests())

			err := tc.call(t, ctx, c, pc, cc)
			if err == nil {
				t.Fatalf("%s succeeded, want %s", tc.op, tc.code)
			}
			if !tc.isType(err) {
				t.Fatalf("%s: %T %v, want aws-sdk-go-v2's typed %s", tc.op, errors.Unwrap(err), err, tc.code)
			}
			var oe *smithy.OperationError
			if !errors.As(err, &oe) || oe.Operation() != tc.op {
				t.Errorf("operation error %v, want operation %s", err, tc.op)
			}
			var api smithy.APIError
			if !errors.As(err, &api) || api.ErrorCode() != tc.code || api.ErrorMessage() == "" {
				t.Errorf("APIError %v: want code %s with a message", api, tc.code)
			}
			var re *awshttp.ResponseError
			if !errors.As(err, &re) || re.HTTPStatusCode() != tc.status || re.ServiceRequestID() == "" {
				t.Errorf("response error %v: want status %d and a request id", err, tc.status)
			}
			// One request for the failing call, as the emulator recorded it.
			reqs := env.srv.Requests()[before:]
			last := reqs[len(reqs)-1]
			if last.Operation != tc.op || last.Status != tc.status || last.ErrorCode != tc.code || (re != nil && last.RequestID != re.ServiceRequestID()) {
				t.Errorf("the emulator recorded %s %d %s (request %s) last", last.Operation, last.Status, last.ErrorCode, last.RequestID)
			}
			if tc.check != nil {
				tc.check(t, err)
			}
		})
	}
}

// emuSyncBuffer is a bytes.Buffer safe for the writer exec starts and a reader.
type emuSyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *emuSyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *emuSyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var emuLocalURL = regexp.MustCompile(`Service at (http://127\.0\.0\.1:[0-9]+) `)

// TestEmulatorAWSSDKChatLocal plays a short chat through aws-sdk-go-v2
// against a real `participant local` process (cmd/participant, built for
// the test) on a free loopback port, with the echo agent that joins every
// chat: the backend's StartChatContact and StopContact, the customer's
// connection, message, the agent's read receipt and echo on the socket, and
// the transcript. Then the process must stop cleanly on an interrupt.
//
// It is not parallel on purpose: it runs, and its process is gone, before
// the parallel tests start. A process starting beside them widens a race in
// aws-sdk-go-v2 that makes TestOpsResponsesDifferential's 71 KB page fail
// now and then: smithy-go v1.28.9's request body (safeWriteToReadCloser,
// transport/http/internal/io/safe.go) answers WriteTo with io.EOF once the
// SDK has closed it after Do returned, net/http's writeLoop takes that for
// a body read error and closes the connection while the response body is
// still being read ("use of closed network connection"). See the README.
func TestEmulatorAWSSDKChatLocal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs cmd/participant")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build cmd/participant")
	}
	bin := filepath.Join(t.TempDir(), "participant")
	if out, err := exec.CommandContext(t.Context(), goTool, "build", "-o", bin, "github.com/connectchat/participant/cmd/participant").CombinedOutput(); err != nil {
		t.Fatalf("building cmd/participant: %v\n%s", err, out)
	}
	var stdout, stderr emuSyncBuffer
	cmd := exec.Command(bin, "local", "--addr", "127.0.0.1:0", "--agent", "echo", "--agent-delay", "0s", "--seed", "7")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := false
	t.Cleanup(func() {
		if !exited {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	var base string
	for deadline := time.Now().Add(20 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := emuLocalURL.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatalf("participant local printed no URL:\n%s\n%s", stdout.String(), stderr.String())
	}
	env := &emuEnv{url: base}
	t.Cleanup(env.closeClients) // before the process is stopped
	ctx := t.Context()
	cc, pc := env.connectClient(), env.participantClient()

	start, err := cc.StartChatContact(ctx, &connect.StartChatContactInput{
		InstanceId: aws.String(emuInstanceID), ContactFlowId: aws.String(emuFlowID),
		ParticipantDetails: &connecttypes.ParticipantDetails{DisplayName: aws.String("Ann")},
	})
	if err != nil {
		t.Fatalf("StartChatContact: %v", err)
	}
	conn, err := pc.CreateParticipantConnection(ctx, &connectparticipant.CreateParticipantConnectionInput{
		ParticipantToken: start.ParticipantToken,
		Type:             []types.ConnectionType{types.ConnectionTypeWebsocket, types.ConnectionTypeConnectionCredentials},
	})
	if err != nil {
		t.Fatalf("CreateParticipantConnection: %v", err)
	}
	if u := aws.ToString(conn.Websocket.Url); !strings.HasPrefix(u, "ws://"+strings.TrimPrefix(base, "http://")+"/") {
		t.Errorf("WebSocket URL %q is not on %s", u, base)
	}
	tok := conn.ConnectionCredentials.ConnectionToken
	sock := env.dial(t, "customer socket", aws.ToString(conn.Websocket.Url))
	sent, err := pc.SendMessage(ctx, &connectparticipant.SendMessageInput{
		ConnectionToken: tok, ContentType: aws.String("text/plain"), Content: aws.String("ping from aws-sdk-go-v2"),
	})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	receipt := sock.next(t, "the echo agent's read receipt", func(it emuItem) bool { return it.Type == "MESSAGEMETADATA" })
	if receipt.MessageMetadata == nil || receipt.MessageMetadata.MessageId != aws.ToString(sent.Id) {
		t.Errorf("receipt %+v is not for message %s", receipt, aws.ToString(sent.Id))
	}
	echo := sock.next(t, "the echo", func(it emuItem) bool { return it.Type == "MESSAGE" && it.ParticipantRole == "AGENT" })
	if echo.Content != "ping from aws-sdk-go-v2" || echo.ContactId != aws.ToString(start.ContactId) {
		t.Errorf("echo %+v", echo)
	}
	tr, err := pc.GetTranscript(ctx, &connectparticipant.GetTranscriptInput{ConnectionToken: tok, SortOrder: types.SortKeyAscending})
	if err != nil {
		t.Fatalf("GetTranscript: %v", err)
	}
	var ids []string
	for _, it := range tr.Transcript {
		ids = append(ids, aws.ToString(it.Id))
	}
	if !slices.Contains(ids, aws.ToString(sent.Id)) || !slices.Contains(ids, echo.Id) || ids[len(ids)-1] != echo.Id {
		t.Errorf("transcript ids %v: want the message and, last, the echo %s", ids, echo.Id)
	}
	if _, err := cc.StopContact(ctx, &connect.StopContactInput{InstanceId: aws.String(emuInstanceID), ContactId: start.ContactId}); err != nil {
		t.Fatalf("StopContact: %v", err)
	}
	sock.next(t, "chat.ended", emuIsEvent("chat.ended"))

	env.closeClients()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		exited = true
		if err != nil || !strings.Contains(stdout.String(), "Stopping.") {
			t.Errorf("participant local ended with %v; stdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Errorf("participant local did not stop within 15 s of an interrupt")
		_ = cmd.Process.Kill()
		<-waited
		exited = true
	}
}
