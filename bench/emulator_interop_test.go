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
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	require.NoError(t, err, "%s: dialling the WebSocket URL", name)
	e.mu.Lock()
	e.sockets = append(e.sockets, c)
	e.mu.Unlock()
	s := &emuSocket{name: name, c: c}
	require.NoError(t, c.Write(ctx, websocket.MessageText, []byte(`{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`)), "%s: subscribe", name)
	raw, f := s.read(t)
	var ack struct {
		Status string   `json:"status"`
		Topics []string `json:"topics"`
	}
	const wantAck = "%s: subscribe answered %s, want the aws/subscribe success ack with an object content"
	require.Equal(t, "aws/subscribe", f.Topic, wantAck, name, raw)
	require.NoError(t, json.Unmarshal(f.Content, &ack), wantAck, name, raw)
	require.Equal(t, "success", ack.Status, wantAck, name, raw)
	require.Equal(t, []string{"aws/chat"}, ack.Topics, wantAck, name, raw)
	return s
}

// read reads one text frame, within 10 s.
func (s *emuSocket) read(t *testing.T) ([]byte, emuFrame) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	typ, raw, err := s.c.Read(ctx)
	require.NoError(t, err, "%s: reading the socket", s.name)
	require.Equal(t, websocket.MessageText, typ, "%s: a %v frame, want text", s.name, typ)
	var f emuFrame
	require.NoError(t, json.Unmarshal(raw, &f), "%s: frame %s is not JSON", s.name, raw)
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
		require.Equal(t, "aws/chat", f.Topic, "%s: waiting for %s, got a frame that is not aws/chat: %s", s.name, what, raw)
		const wantForm = "%s: aws/chat frame %s: want {\"content\":\"<Item JSON>\",\"contentType\":\"application/json\",\"topic\":\"aws/chat\"}"
		require.True(t, bytes.HasPrefix(raw, []byte(`{"content":"`)), wantForm, s.name, raw)
		require.Equal(t, "application/json", f.ContentType, wantForm, s.name, raw)
		var content string
		require.NoError(t, json.Unmarshal(f.Content, &content), "%s: content of %s is not a JSON string", s.name, raw)
		var it emuItem
		require.NoError(t, json.Unmarshal([]byte(content), &it), "%s: content string %q is not an Item", s.name, content)
		assert.NotEmpty(t, it.Id, "%s: item %s lacks Id", s.name, content)
		assert.NotEmpty(t, it.Type, "%s: item %s lacks Type", s.name, content)
		assert.NotEmpty(t, it.ContactId, "%s: item %s lacks ContactId", s.name, content)
		assert.NotEmpty(t, it.InitialContactId, "%s: item %s lacks InitialContactId", s.name, content)
		_, err := time.Parse("2006-01-02T15:04:05.000Z", it.AbsoluteTime)
		assert.NoError(t, err, "%s: item %s: AbsoluteTime", s.name, content)
		if match(it) {
			return it
		}
		skipped = append(skipped, it.Type+" "+it.ContentType)
	}
	require.Failf(t, "no matching item", "%s: no %s in 50 frames (saw %v)", s.name, what, skipped)
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
	if !assert.NoError(t, err, "%s %q", what, aws.ToString(v)) {
		return
	}
	assert.False(t, tm.Before(earliest.Truncate(time.Second)), "%s %s is before %s", what, tm, earliest)
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
	require.NoError(t, err, "StartChatContact")
	contactID := aws.ToString(start.ContactId)
	customerID := aws.ToString(start.ParticipantId)
	require.NotEmpty(t, contactID, "StartChatContact output: ContactId")
	require.NotEmpty(t, customerID, "StartChatContact output: ParticipantId")
	require.NotEmpty(t, aws.ToString(start.ParticipantToken), "StartChatContact output: ParticipantToken")
	require.Nil(t, start.ContinuedFromContactId, "StartChatContact output: ContinuedFromContactId")
	// The Connect client signed with SigV4 for the connect service; the
	// Participant client sent no signature.
	for _, r := range srv.Requests() {
		if r.Operation == participanttest.OpStartChatContact {
			auth := r.Header.Get("Authorization")
			assert.True(t, strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+emuAccessKey+"/"), "StartChatContact Authorization %q: want a SigV4 signature for connect in %s", auth, emuRegion)
			assert.Contains(t, auth, "/"+emuRegion+"/connect/aws4_request", "StartChatContact Authorization: want a SigV4 signature for connect in %s", emuRegion)
			assert.Equal(t, http.MethodPut, r.Method, "StartChatContact method")
			assert.Equal(t, "/contact/chat", r.Path, "StartChatContact path")
			assert.Equal(t, http.StatusOK, r.Status, "StartChatContact status")
		}
	}

	// The customer connects and subscribes.
	custConn, err := pc.CreateParticipantConnection(ctx, &connectparticipant.CreateParticipantConnectionInput{
		ParticipantToken:   start.ParticipantToken,
		Type:               []types.ConnectionType{types.ConnectionTypeWebsocket, types.ConnectionTypeConnectionCredentials},
		ConnectParticipant: aws.Bool(true),
	})
	require.NoError(t, err, "CreateParticipantConnection (customer)")
	require.NotNil(t, custConn.Websocket, "CreateParticipantConnection (customer): Websocket")
	require.NotNil(t, custConn.ConnectionCredentials, "CreateParticipantConnection (customer): ConnectionCredentials")
	require.Nil(t, custConn.WebRTCConnection, "CreateParticipantConnection (customer): WebRTCConnection")
	u := aws.ToString(custConn.Websocket.Url)
	assert.True(t, strings.HasPrefix(u, "ws://127.0.0.1:"), "WebSocket URL %q: amazon-connect-chatjs accepts only wss:// and ws://127.0.0.1:", u)
	emuWantTime(t, "Websocket.ConnectionExpiry", custConn.Websocket.ConnectionExpiry, began)
	emuWantTime(t, "ConnectionCredentials.Expiry", custConn.ConnectionCredentials.Expiry, began.Add(23*time.Hour))
	custTok := custConn.ConnectionCredentials.ConnectionToken
	require.NotEmpty(t, aws.ToString(custTok), "the ConnectionToken is empty")
	require.NotEqual(t, aws.ToString(start.ParticipantToken), aws.ToString(custTok), "the ConnectionToken is the ParticipantToken")
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
	require.NoError(t, err, "CreateParticipant")
	agentID := aws.ToString(added.ParticipantId)
	require.NotEmpty(t, agentID, "CreateParticipant output: ParticipantId")
	require.NotEqual(t, customerID, agentID, "CreateParticipant output: the customer's ParticipantId")
	require.NotNil(t, added.ParticipantCredentials, "CreateParticipant output: ParticipantCredentials")
	require.NotEmpty(t, aws.ToString(added.ParticipantCredentials.ParticipantToken), "CreateParticipant output: ParticipantToken")
	emuWantTime(t, "ParticipantCredentials.Expiry", added.ParticipantCredentials.Expiry, began)
	joined := cust.next(t, "the agent's participant.joined", emuIsEvent("participant.joined"))
	assert.Equal(t, agentID, joined.ParticipantId, "participant.joined: %+v", joined)
	assert.Equal(t, "AGENT", joined.ParticipantRole, "participant.joined: %+v", joined)
	assert.Equal(t, "Bob", joined.DisplayName, "participant.joined: %+v", joined)
	assert.Equal(t, contactID, joined.ContactId, "participant.joined: %+v", joined)
	agentConn, err := pc.CreateParticipantConnection(ctx, &connectparticipant.CreateParticipantConnectionInput{
		ParticipantToken:   added.ParticipantCredentials.ParticipantToken,
		Type:               []types.ConnectionType{types.ConnectionTypeWebsocket, types.ConnectionTypeConnectionCredentials},
		ConnectParticipant: aws.Bool(true),
	})
	require.NoError(t, err, "CreateParticipantConnection (agent)")
	agentTok := agentConn.ConnectionCredentials.ConnectionToken
	agent := env.dial(t, "agent socket", aws.ToString(agentConn.Websocket.Url))

	// Messages both ways. Each reaches the other side's socket and the
	// sender's own.
	fromCust, err := pc.SendMessage(ctx, &connectparticipant.SendMessageInput{
		ConnectionToken: custTok, ContentType: aws.String("text/plain"), Content: aws.String("Order 1234, ordered two weeks ago"),
	})
	require.NoError(t, err, "SendMessage (customer)")
	emuWantTime(t, "SendMessage AbsoluteTime", fromCust.AbsoluteTime, began)
	got := agent.next(t, "the customer's message", emuHasID(fromCust.Id))
	assert.Equal(t, "MESSAGE", got.Type, "agent socket got %+v", got)
	assert.Equal(t, customerID, got.ParticipantId, "agent socket got %+v", got)
	assert.Equal(t, "CUSTOMER", got.ParticipantRole, "agent socket got %+v", got)
	assert.Equal(t, "Order 1234, ordered two weeks ago", got.Content, "agent socket got %+v", got)
	assert.Equal(t, aws.ToString(fromCust.AbsoluteTime), got.AbsoluteTime, "agent socket got %+v", got)
	cust.next(t, "its own message", emuHasID(fromCust.Id))

	fromAgent, err := pc.SendMessage(ctx, &connectparticipant.SendMessageInput{
		ConnectionToken: agentTok, ContentType: aws.String("text/markdown"), Content: aws.String("Sorry about that, **Ann**. Let me look."),
	})
	require.NoError(t, err, "SendMessage (agent)")
	got = cust.next(t, "the agent's message", emuHasID(fromAgent.Id))
	const onCust = "customer socket got %+v for the agent's message"
	assert.Equal(t, "MESSAGE", got.Type, onCust, got)
	assert.Equal(t, "text/markdown", got.ContentType, onCust, got)
	assert.Equal(t, "Sorry about that, **Ann**. Let me look.", got.Content, onCust, got)
	assert.Equal(t, agentID, got.ParticipantId, onCust, got)
	assert.Equal(t, "AGENT", got.ParticipantRole, onCust, got)
	assert.Equal(t, "Bob", got.DisplayName, onCust, got)
	assert.Equal(t, contactID, got.ContactId, onCust, got)
	assert.Equal(t, contactID, got.InitialContactId, onCust, got)
	assert.Equal(t, aws.ToString(fromAgent.AbsoluteTime), got.AbsoluteTime, onCust, got)

	// Typing from the customer, a read receipt from the agent.
	typing, err := pc.SendEvent(ctx, &connectparticipant.SendEventInput{
		ConnectionToken: custTok, ContentType: aws.String("application/vnd.amazonaws.connect.event.typing"),
	})
	require.NoError(t, err, "SendEvent typing")
	got = agent.next(t, "typing", emuIsEvent("typing"))
	assert.Equal(t, aws.ToString(typing.Id), got.Id, "typing on the agent socket: %+v", got)
	assert.Equal(t, customerID, got.ParticipantId, "typing on the agent socket: %+v", got)
	read, err := pc.SendEvent(ctx, &connectparticipant.SendEventInput{
		ConnectionToken: agentTok,
		ContentType:     aws.String("application/vnd.amazonaws.connect.event.message.read"),
		Content:         aws.String(`{"messageId":"` + aws.ToString(fromCust.Id) + `"}`),
	})
	require.NoError(t, err, "SendEvent read receipt")
	receipt := cust.next(t, "the read receipt", func(it emuItem) bool { return it.Type == "MESSAGEMETADATA" })
	const onCustReceipt = "receipt on the customer socket: %+v"
	assert.Equal(t, aws.ToString(read.Id), receipt.Id, onCustReceipt, receipt)
	assert.Equal(t, "application/vnd.amazonaws.connect.event.message.metadata", receipt.ContentType, onCustReceipt, receipt)
	if assert.NotNil(t, receipt.MessageMetadata, onCustReceipt, receipt) {
		assert.Equal(t, aws.ToString(fromCust.Id), receipt.MessageMetadata.MessageId, onCustReceipt, receipt)
		if assert.Len(t, receipt.MessageMetadata.Receipts, 1, onCustReceipt, receipt) {
			assert.Equal(t, agentID, receipt.MessageMetadata.Receipts[0].RecipientParticipantId, onCustReceipt, receipt)
			assert.NotEmpty(t, receipt.MessageMetadata.Receipts[0].ReadTimestamp, onCustReceipt, receipt)
		}
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
		require.NoError(t, err, "GetTranscript page %d", pages+1)
		pages++
		assert.Equal(t, contactID, aws.ToString(page.InitialContactId), "page %d: InitialContactId", pages)
		assert.LessOrEqual(t, len(page.Transcript), 2, "page %d: items", pages)
		items = append(items, page.Transcript...)
	}
	slices.Reverse(items)
	want := srv.Transcript(contactID)
	// participant.joined ×2, the initial message and two messages; typing
	// and receipts are not transcript items.
	const paginated = "paginator: %d items in %d pages; the server holds %d, want 5 in 3"
	require.Len(t, want, 5, paginated, len(items), pages, len(want))
	require.Len(t, items, len(want), paginated, len(items), pages, len(want))
	require.Equal(t, 3, pages, paginated, len(items), pages, len(want))
	for i, it := range items {
		w := want[i]
		assert.Equal(t, w.ID, aws.ToString(it.Id), "transcript item %d: %+v, want %+v", i, it, w)
		assert.Equal(t, w.Type, string(it.Type), "transcript item %d: %+v, want %+v", i, it, w)
		assert.Equal(t, w.ContentType, aws.ToString(it.ContentType), "transcript item %d: %+v, want %+v", i, it, w)
		assert.Equal(t, w.Content, aws.ToString(it.Content), "transcript item %d: %+v, want %+v", i, it, w)
		assert.Equal(t, w.ParticipantID, aws.ToString(it.ParticipantId), "transcript item %d: %+v, want %+v", i, it, w)
		assert.Equal(t, w.ParticipantRole, string(it.ParticipantRole), "transcript item %d: %+v, want %+v", i, it, w)
		assert.Equal(t, w.AbsoluteTime, aws.ToString(it.AbsoluteTime), "transcript item %d: %+v, want %+v", i, it, w)
	}
	m := items[3]
	const noReceipt = "the customer's message in the transcript does not carry the agent's read receipt: %+v"
	assert.Equal(t, aws.ToString(fromCust.Id), aws.ToString(m.Id), noReceipt, m.MessageMetadata)
	if assert.NotNil(t, m.MessageMetadata, noReceipt, m.MessageMetadata) && assert.Len(t, m.MessageMetadata.Receipts, 1, noReceipt, m.MessageMetadata) {
		assert.Equal(t, agentID, aws.ToString(m.MessageMetadata.Receipts[0].RecipientParticipantId), noReceipt, m.MessageMetadata)
		assert.NotEmpty(t, aws.ToString(m.MessageMetadata.Receipts[0].ReadTimestamp), noReceipt, m.MessageMetadata)
	}
	assert.Equal(t, "Hello, my order is late", aws.ToString(items[1].Content), "the initial message is not the second item: %+v", items[1])
	assert.Equal(t, customerID, aws.ToString(items[1].ParticipantId), "the initial message is not the second item: %+v", items[1])

	// An attachment: start, PUT with exactly HeadersToInclude, complete,
	// then download it as the agent.
	file := []byte("order,placed,status\n1234,2 weeks ago,late\n")
	upload, err := pc.StartAttachmentUpload(ctx, &connectparticipant.StartAttachmentUploadInput{
		ConnectionToken:       custTok,
		AttachmentName:        aws.String("order.csv"),
		AttachmentSizeInBytes: int64(len(file)),
		ContentType:           aws.String("text/csv"),
	})
	require.NoError(t, err, "StartAttachmentUpload")
	attID := aws.ToString(upload.AttachmentId)
	um := upload.UploadMetadata
	require.NotEmpty(t, attID, "StartAttachmentUpload output: AttachmentId")
	require.NotNil(t, um, "StartAttachmentUpload output: UploadMetadata")
	require.NotNil(t, um.Url, "StartAttachmentUpload output: metadata %+v", um)
	require.Equal(t, "text/csv", um.HeadersToInclude["Content-Type"], "StartAttachmentUpload output: metadata %+v", um)
	require.NotEmpty(t, um.HeadersToInclude["Content-Disposition"], "StartAttachmentUpload output: metadata %+v", um)
	emuWantTime(t, "UploadMetadata.UrlExpiry", um.UrlExpiry, began)
	put, err := http.NewRequestWithContext(ctx, http.MethodPut, aws.ToString(um.Url), bytes.NewReader(file))
	require.NoError(t, err)
	for k, v := range um.HeadersToInclude {
		put.Header.Set(k, v)
	}
	resp, err := env.httpClient().Do(put)
	require.NoError(t, err, "PUT to the upload URL")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	sum := md5.Sum(file)
	require.Equal(t, http.StatusOK, resp.StatusCode, "PUT to the upload URL: %s", body)
	require.Equal(t, `"`+hex.EncodeToString(sum[:])+`"`, resp.Header.Get("ETag"), "PUT to the upload URL: ETag")
	_, err = pc.CompleteAttachmentUpload(ctx, &connectparticipant.CompleteAttachmentUploadInput{
		ConnectionToken: custTok, AttachmentIds: []string{attID},
	})
	require.NoError(t, err, "CompleteAttachmentUpload")
	att := agent.next(t, "the attachment", func(it emuItem) bool { return it.Type == "ATTACHMENT" })
	if assert.Len(t, att.Attachments, 1, "ATTACHMENT item on the agent socket: %+v", att) {
		assert.Equal(t, attID, att.Attachments[0].AttachmentId, "ATTACHMENT item on the agent socket: %+v", att)
		assert.Equal(t, "order.csv", att.Attachments[0].AttachmentName, "ATTACHMENT item on the agent socket: %+v", att)
		assert.Equal(t, "text/csv", att.Attachments[0].ContentType, "ATTACHMENT item on the agent socket: %+v", att)
		assert.Equal(t, "APPROVED", att.Attachments[0].Status, "ATTACHMENT item on the agent socket: %+v", att)
	}
	assert.Equal(t, customerID, att.ParticipantId, "ATTACHMENT item on the agent socket: %+v", att)
	dl, err := pc.GetAttachment(ctx, &connectparticipant.GetAttachmentInput{
		ConnectionToken: agentTok, AttachmentId: aws.String(attID), UrlExpiryInSeconds: aws.Int32(60),
	})
	require.NoError(t, err, "GetAttachment")
	assert.Equal(t, int64(len(file)), aws.ToInt64(dl.AttachmentSizeInBytes), "GetAttachment AttachmentSizeInBytes")
	emuWantTime(t, "GetAttachment UrlExpiry", dl.UrlExpiry, began)
	get, err := http.NewRequestWithContext(ctx, http.MethodGet, aws.ToString(dl.Url), nil)
	require.NoError(t, err)
	resp, err = env.httpClient().Do(get)
	require.NoError(t, err, "GET of the download URL")
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "GET of the download URL: status")
	assert.Equal(t, file, body, "GET of the download URL: body")
	assert.Equal(t, "text/csv", resp.Header.Get("Content-Type"), "GET of the download URL: Content-Type")

	// A view of an interactive message.
	view := participanttest.View{
		ID: "b1c2d3e4", ARN: "arn:aws:connect:us-east-1:123456789012:instance/" + emuInstanceID + "/view/b1c2d3e4",
		Name: "Order picker", Version: 3,
		Content: participanttest.ViewContent{InputSchema: `{"type":"object"}`, Template: `{"Head":{"Title":"Pick"}}`, Actions: []string{"Pick", "Cancel"}},
	}
	srv.RegisterView("view/token+1=", view)
	dv, err := pc.DescribeView(ctx, &connectparticipant.DescribeViewInput{ConnectionToken: custTok, ViewToken: aws.String("view/token+1=")})
	require.NoError(t, err, "DescribeView")
	if v := dv.View; assert.NotNil(t, v, "DescribeView: View") {
		assert.Equal(t, view.ID, aws.ToString(v.Id), "DescribeView: %+v", v)
		assert.Equal(t, view.ARN, aws.ToString(v.Arn), "DescribeView: %+v", v)
		assert.Equal(t, view.Name, aws.ToString(v.Name), "DescribeView: %+v", v)
		assert.Equal(t, int32(3), aws.ToInt32(v.Version), "DescribeView: %+v", v)
		if assert.NotNil(t, v.Content, "DescribeView: %+v", v) {
			assert.Equal(t, view.Content.InputSchema, aws.ToString(v.Content.InputSchema), "DescribeView: %+v", v)
			assert.Equal(t, view.Content.Template, aws.ToString(v.Content.Template), "DescribeView: %+v", v)
			assert.Equal(t, view.Content.Actions, v.Content.Actions, "DescribeView: %+v", v)
		}
	}

	// Customer authentication: one session cancelled, one completed on the
	// emulator's authorization page.
	sid, err := srv.StartAuthentication(contactID)
	require.NoError(t, err)
	ev := cust.next(t, "authentication.initiated", emuIsEvent("authentication.initiated"))
	assert.Equal(t, `{"SessionId":"`+sid+`"}`, ev.Content, "authentication.initiated content")
	au, err := pc.GetAuthenticationUrl(ctx, &connectparticipant.GetAuthenticationUrlInput{
		ConnectionToken: custTok, SessionId: aws.String(sid), RedirectUri: aws.String("https://widget.example.test/done"),
	})
	require.NoError(t, err, "GetAuthenticationUrl")
	assert.True(t, strings.HasPrefix(aws.ToString(au.AuthenticationUrl), srv.URL+"/"), "AuthenticationUrl %q is not on the emulator", aws.ToString(au.AuthenticationUrl))
	_, err = pc.CancelParticipantAuthentication(ctx, &connectparticipant.CancelParticipantAuthenticationInput{
		ConnectionToken: custTok, SessionId: aws.String(sid),
	})
	require.NoError(t, err, "CancelParticipantAuthentication")
	ev = cust.next(t, "authentication.cancelled", emuIsEvent("authentication.cancelled"))
	assert.Equal(t, `{"SessionId":"`+sid+`"}`, ev.Content, "authentication.cancelled content")
	sid2, err := srv.StartAuthentication(contactID)
	require.NoError(t, err)
	au, err = pc.GetAuthenticationUrl(ctx, &connectparticipant.GetAuthenticationUrlInput{
		ConnectionToken: custTok, SessionId: aws.String(sid2), RedirectUri: aws.String("https://widget.example.test/done"),
	})
	require.NoError(t, err, "GetAuthenticationUrl (second session)")
	page, err := http.NewRequestWithContext(ctx, http.MethodGet, aws.ToString(au.AuthenticationUrl), nil)
	require.NoError(t, err)
	resp, err = env.httpClient().Do(page)
	require.NoError(t, err, "opening the AuthenticationUrl")
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	const wantRedirect = "the authentication page answered %d, Location %q; want 302 to the RedirectUri with a code"
	assert.Equal(t, http.StatusFound, resp.StatusCode, wantRedirect, resp.StatusCode, resp.Header.Get("Location"))
	if assert.NotNil(t, loc, wantRedirect, resp.StatusCode, resp.Header.Get("Location")) {
		assert.Equal(t, "widget.example.test", loc.Host, wantRedirect, resp.StatusCode, resp.Header.Get("Location"))
		assert.NotEmpty(t, loc.Query().Get("code"), wantRedirect, resp.StatusCode, resp.Header.Get("Location"))
	}
	ev = cust.next(t, "authentication.succeeded", emuIsEvent("authentication.succeeded"))
	assert.Equal(t, `{"SessionId":"`+sid2+`"}`, ev.Content, "authentication.succeeded content")

	// The agent leaves; the chat goes on until the backend stops it.
	_, err = pc.DisconnectParticipant(ctx, &connectparticipant.DisconnectParticipantInput{ConnectionToken: agentTok})
	require.NoError(t, err, "DisconnectParticipant")
	left := cust.next(t, "participant.left", emuIsEvent("participant.left"))
	assert.Equal(t, agentID, left.ParticipantId, "participant.left: %+v", left)
	assert.Equal(t, "AGENT", left.ParticipantRole, "participant.left: %+v", left)
	_, err = pc.SendEvent(ctx, &connectparticipant.SendEventInput{
		ConnectionToken: custTok, ContentType: aws.String("application/vnd.amazonaws.connect.event.typing"),
	})
	assert.NoError(t, err, "the customer cannot send after the agent left")
	_, err = cc.StopContact(ctx, &connect.StopContactInput{
		InstanceId: aws.String(emuInstanceID), ContactId: start.ContactId,
		DisconnectReason: &connecttypes.DisconnectReason{Code: aws.String("CUSTOMER_RESOLVED")},
	})
	require.NoError(t, err, "StopContact")
	cust.next(t, "chat.ended", emuIsEvent("chat.ended"))
	_, err = pc.SendMessage(ctx, &connectparticipant.SendMessageInput{
		ConnectionToken: custTok, ContentType: aws.String("text/plain"), Content: aws.String("still there?"),
	})
	var denied *types.AccessDeniedException
	assert.ErrorAs(t, err, &denied, "SendMessage after StopContact: want *types.AccessDeniedException")
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
	require.NoError(t, err)
	agent, err := env.srv.AddParticipant(cust.ContactID, participanttest.RoleAgent, "Bob")
	require.NoError(t, err)
	cc, err := env.srv.Connect(cust.ParticipantToken)
	require.NoError(t, err)
	ac, err := env.srv.Connect(agent.ParticipantToken)
	require.NoError(t, err)
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
	require.Fail(t, "no message in the transcript")
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
	require.NoError(t, err, "StartAttachmentUpload")
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, aws.ToString(up.UploadMetadata.Url), bytes.NewReader(data))
	require.NoError(t, err)
	for k, v := range up.UploadMetadata.HeadersToInclude {
		req.Header.Set(k, v)
	}
	resp, err := c.env.httpClient().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "upload")
	return aws.ToString(up.AttachmentId)
}

// emuWantThrottle checks that aws-sdk-go-v2's standard retryer takes err for
// throttling, so it would back off and retry.
func emuWantThrottle(t *testing.T, err error) {
	t.Helper()
	assert.Equal(t, aws.TrueTernary, retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err),
		"aws-sdk-go-v2's standard retryer does not take %v for throttling", err)
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
				require.NoError(t, err)
				_, err = pc.CancelParticipantAuthentication(ctx, &connectparticipant.CancelParticipantAuthenticationInput{ConnectionToken: aws.String(c.custToken), SessionId: aws.String(sid)})
				require.NoError(t, err, "CancelParticipantAuthentication")
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
				require.NoError(t, c.env.srv.StopContact(c.contactID))
				_, err := pc.GetTranscript(ctx, &connectparticipant.GetTranscriptInput{ConnectionToken: aws.String(c.custToken)})
				return err
			},
		},
		{
			name: "AccessDeniedException: CreateParticipantConnection after the chat ended",
			op:   "CreateParticipantConnection", status: 403, code: "AccessDeniedException", isType: emuErrorAs[*types.AccessDeniedException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, cc *connect.Client) error {
				_, err := cc.StopContact(ctx, &connect.StopContactInput{InstanceId: aws.String(emuInstanceID), ContactId: aws.String(c.contactID)})
				require.NoError(t, err, "StopContact")
				_, err = pc.CreateParticipantConnection(ctx, &connectparticipant.CreateParticipantConnectionInput{
					ParticipantToken: aws.String(c.customer.ParticipantToken.Reveal()), Type: []types.ConnectionType{types.ConnectionTypeConnectionCredentials},
				})
				return err
			},
		},
		{
			name: "AccessDeniedException: DescribeView after the participant left",
			op:   "DescribeView", status: 403, code: "AccessDeniedException", isType: emuErrorAs[*types.AccessDeniedException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, _ *connect.Client) error {
				_, err := pc.DisconnectParticipant(ctx, &connectparticipant.DisconnectParticipantInput{ConnectionToken: aws.String(c.agentToken)})
				require.NoError(t, err, "DisconnectParticipant")
				c.env.srv.RegisterView("v", participanttest.View{ID: "v"})
				_, err = pc.DescribeView(ctx, &connectparticipant.DescribeViewInput{ConnectionToken: aws.String(c.agentToken), ViewToken: aws.String("v")})
				return err
			},
		},
		{
			name: "ConflictException: a read receipt among three participants",
			op:   "SendEvent", status: 409, code: "ConflictException", isType: emuErrorAs[*types.ConflictException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, _ *connect.Client) error {
				_, err := c.env.srv.AddParticipant(c.contactID, participanttest.RoleSupervisor, "Sue")
				require.NoError(t, err)
				_, err = pc.SendEvent(ctx, &connectparticipant.SendEventInput{
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
				_, err := pc.CompleteAttachmentUpload(ctx, &first)
				require.NoError(t, err, "first CompleteAttachmentUpload")
				second := in // a fresh input: a new generated ClientToken
				_, err = pc.CompleteAttachmentUpload(ctx, &second)
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
				require.ErrorAs(t, err, &nf)
				assert.Equal(t, "no-such-view", aws.ToString(nf.ResourceId), "ResourceId: want the view token")
				assert.Empty(t, nf.ResourceType, "ResourceType: want none")
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
				_, err := pc.StartAttachmentUpload(ctx, &first)
				require.NoError(t, err, "first StartAttachmentUpload")
				second := in
				_, err = pc.StartAttachmentUpload(ctx, &second)
				return err
			},
		},
		{
			name: "ThrottlingException: an injected Fail",
			op:   "SendEvent", status: 429, code: "ThrottlingException", isType: emuErrorAs[*types.ThrottlingException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, _ *connect.Client) error {
				c.env.srv.Inject(participanttest.Fail(participanttest.OpSendEvent, "ThrottlingException"))
				_, err := pc.SendEvent(ctx, &connectparticipant.SendEventInput{ConnectionToken: aws.String(c.custToken), ContentType: typing})
				assert.NoError(t, c.env.srv.CheckFaults())
				return err
			},
			check: emuWantThrottle,
		},
		{
			name: "ThrottlingException: an injected Throttle bucket",
			op:   "GetTranscript", status: 429, code: "ThrottlingException", isType: emuErrorAs[*types.ThrottlingException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, pc *connectparticipant.Client, _ *connect.Client) error {
				c.env.srv.Inject(participanttest.Throttle(participanttest.OpGetTranscript, 0.001, 1))
				_, err := pc.GetTranscript(ctx, &connectparticipant.GetTranscriptInput{ConnectionToken: aws.String(c.custToken)})
				require.NoError(t, err, "the burst's GetTranscript")
				_, err = pc.GetTranscript(ctx, &connectparticipant.GetTranscriptInput{ConnectionToken: aws.String(c.custToken)})
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
				assert.Equal(t, aws.TrueTernary, retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err),
					"aws-sdk-go-v2's standard retryer would not retry %v", err)
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
			name: "connect LimitExceededException: StartChatContact past WithMaxChats",
			opts: []participanttest.Option{participanttest.WithMaxChats(1)},
			op:   "StartChatContact", status: 429, code: "LimitExceededException", isType: emuErrorAs[*connecttypes.LimitExceededException],
			call: func(t *testing.T, ctx context.Context, c *emuChat, _ *connectparticipant.Client, cc *connect.Client) error {
				_, err := cc.StartChatContact(ctx, &connect.StartChatContactInput{
					InstanceId: aws.String(emuInstanceID), ContactFlowId: aws.String(emuFlowID),
					ParticipantDetails: &connecttypes.ParticipantDetails{DisplayName: aws.String("Ann")},
				})
				return err
			},
			check: func(t *testing.T, err error) {
				var le *connecttypes.LimitExceededException
				require.ErrorAs(t, err, &le)
				assert.Contains(t, le.ErrorMessage(), "The allowed limit for the resource has been exceeded.")
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
				require.NoError(t, c.env.srv.StopContact(c.contactID))
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
				_, err := cc.StopContact(ctx, &first)
				require.NoError(t, err, "first StopContact")
				second := in
				_, err = cc.StopContact(ctx, &second)
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
			require.Error(t, err, "%s succeeded, want %s", tc.op, tc.code)
			require.True(t, tc.isType(err), "%s: %T %v, want aws-sdk-go-v2's typed %s", tc.op, errors.Unwrap(err), err, tc.code)
			var oe *smithy.OperationError
			if assert.ErrorAs(t, err, &oe, "want an operation error") {
				assert.Equal(t, tc.op, oe.Operation(), "operation error %v", err)
			}
			var api smithy.APIError
			if assert.ErrorAs(t, err, &api, "want an APIError") {
				assert.Equal(t, tc.code, api.ErrorCode(), "APIError %v", api)
				assert.NotEmpty(t, api.ErrorMessage(), "APIError %v: want a message", api)
			}
			var re *awshttp.ResponseError
			if assert.ErrorAs(t, err, &re, "want a response error") {
				assert.Equal(t, tc.status, re.HTTPStatusCode(), "response error %v", err)
				assert.NotEmpty(t, re.ServiceRequestID(), "response error %v: want a request id", err)
			}
			// One request for the failing call, as the emulator recorded it.
			reqs := env.srv.Requests()[before:]
			last := reqs[len(reqs)-1]
			const recorded = "the emulator recorded %s %d %s (request %s) last"
			assert.Equal(t, tc.op, last.Operation, recorded, last.Operation, last.Status, last.ErrorCode, last.RequestID)
			assert.Equal(t, tc.status, last.Status, recorded, last.Operation, last.Status, last.ErrorCode, last.RequestID)
			assert.Equal(t, tc.code, last.ErrorCode, recorded, last.Operation, last.Status, last.ErrorCode, last.RequestID)
			if re != nil {
				assert.Equal(t, re.ServiceRequestID(), last.RequestID, recorded, last.Operation, last.Status, last.ErrorCode, last.RequestID)
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
	// Built in the root module, as a user builds it: its go.sum has the
	// tool's own dependencies (golang.org/x/term), which this module lacks.
	out, err := exec.CommandContext(t.Context(), goTool, "build", "-C", "..", "-o", bin, "./cmd/participant").CombinedOutput()
	require.NoError(t, err, "building cmd/participant:\n%s", out)
	var stdout, stderr emuSyncBuffer
	cmd := exec.Command(bin, "local", "--addr", "127.0.0.1:0", "--agent", "echo", "--agent-delay", "0s", "--seed", "7")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
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
	require.NotEmpty(t, base, "participant local printed no URL:\n%s\n%s", stdout.String(), stderr.String())
	env := &emuEnv{url: base}
	t.Cleanup(env.closeClients) // before the process is stopped
	ctx := t.Context()
	cc, pc := env.connectClient(), env.participantClient()

	start, err := cc.StartChatContact(ctx, &connect.StartChatContactInput{
		InstanceId: aws.String(emuInstanceID), ContactFlowId: aws.String(emuFlowID),
		ParticipantDetails: &connecttypes.ParticipantDetails{DisplayName: aws.String("Ann")},
	})
	require.NoError(t, err, "StartChatContact")
	conn, err := pc.CreateParticipantConnection(ctx, &connectparticipant.CreateParticipantConnectionInput{
		ParticipantToken: start.ParticipantToken,
		Type:             []types.ConnectionType{types.ConnectionTypeWebsocket, types.ConnectionTypeConnectionCredentials},
	})
	require.NoError(t, err, "CreateParticipantConnection")
	u := aws.ToString(conn.Websocket.Url)
	assert.True(t, strings.HasPrefix(u, "ws://"+strings.TrimPrefix(base, "http://")+"/"), "WebSocket URL %q is not on %s", u, base)
	tok := conn.ConnectionCredentials.ConnectionToken
	sock := env.dial(t, "customer socket", aws.ToString(conn.Websocket.Url))
	sent, err := pc.SendMessage(ctx, &connectparticipant.SendMessageInput{
		ConnectionToken: tok, ContentType: aws.String("text/plain"), Content: aws.String("ping from aws-sdk-go-v2"),
	})
	require.NoError(t, err, "SendMessage")
	receipt := sock.next(t, "the echo agent's read receipt", func(it emuItem) bool { return it.Type == "MESSAGEMETADATA" })
	if assert.NotNil(t, receipt.MessageMetadata, "receipt %+v is not for message %s", receipt, aws.ToString(sent.Id)) {
		assert.Equal(t, aws.ToString(sent.Id), receipt.MessageMetadata.MessageId, "receipt %+v", receipt)
	}
	echo := sock.next(t, "the echo", func(it emuItem) bool { return it.Type == "MESSAGE" && it.ParticipantRole == "AGENT" })
	assert.Equal(t, "ping from aws-sdk-go-v2", echo.Content, "echo %+v", echo)
	assert.Equal(t, aws.ToString(start.ContactId), echo.ContactId, "echo %+v", echo)
	tr, err := pc.GetTranscript(ctx, &connectparticipant.GetTranscriptInput{ConnectionToken: tok, SortOrder: types.SortKeyAscending})
	require.NoError(t, err, "GetTranscript")
	var ids []string
	for _, it := range tr.Transcript {
		ids = append(ids, aws.ToString(it.Id))
	}
	assert.Contains(t, ids, aws.ToString(sent.Id), "transcript ids: want the message")
	if assert.Contains(t, ids, echo.Id, "transcript ids: want the echo") {
		assert.Equal(t, echo.Id, ids[len(ids)-1], "transcript ids %v: want the echo last", ids)
	}
	_, err = cc.StopContact(ctx, &connect.StopContactInput{InstanceId: aws.String(emuInstanceID), ContactId: start.ContactId})
	require.NoError(t, err, "StopContact")
	sock.next(t, "chat.ended", emuIsEvent("chat.ended"))

	env.closeClients()
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		exited = true
		assert.NoError(t, err, "participant local ended badly; stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
		assert.Contains(t, stdout.String(), "Stopping.", "participant local's stdout; stderr:\n%s", stderr.String())
	case <-time.After(15 * time.Second):
		assert.Fail(t, "participant local did not stop within 15 s of an interrupt")
		_ = cmd.Process.Kill()
		<-waited
		exited = true
	}
}
