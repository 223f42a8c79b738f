package participanttest_test

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/internal/wire"
	"github.com/connectchat/participant/participanttest"
)

// Every operation of participant.Client against the emulator: the two sides
// of the wire agree.
func TestClientAgainstEmulator(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ctx := t.Context()
	custP, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann", SupportedMessagingContentTypes: []string{"text/plain", "text/markdown"}})
	if err != nil {
		t.Fatal(err)
	}
	agentP, _ := srv.AddParticipant(custP.ContactID, participanttest.RoleAgent, "Bo")
	client := srv.Client(func(o *participant.Options) { o.RetryMaxAttempts = 1 })

	connect := func(p participanttest.Participant) (participant.Token, string) {
		t.Helper()
		out, err := client.CreateParticipantConnection(ctx, &participant.CreateParticipantConnectionInput{
			ParticipantToken:   p.ParticipantToken,
			Type:               []participant.ConnectionType{participant.ConnectionTypeWebsocket, participant.ConnectionTypeConnectionCredentials},
			ConnectParticipant: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		if out.Websocket == nil || out.ConnectionCredentials == nil || out.Websocket.ConnectionExpiry.IsZero() || out.ConnectionCredentials.Expiry.IsZero() || out.RequestID == "" {
			t.Fatalf("CreateParticipantConnection: %+v", out)
		}
		return out.ConnectionCredentials.ConnectionToken, out.Websocket.URL
	}
	tok, wsURL := connect(custP)
	agentTok, agentWS := connect(agentP)
	cw, aw := dial(t, srv, wsURL), dial(t, srv, agentWS)
	cw.subscribe()
	aw.subscribe()

	// Messages.
	var sent []string
	for _, text := range []string{"**one**", "two", "three"} {
		out, err := client.SendMessage(ctx, &participant.SendMessageInput{ConnectionToken: tok, ContentType: participant.ContentTypeMarkdown, Content: text})
		if err != nil {
			t.Fatal(err)
		}
		if it := aw.expectItem("MESSAGE", "text/markdown"); it.ID != out.ID || it.Content != text {
			t.Fatalf("socket item %+v, output %+v", it, out)
		}
		cw.item()
		sent = append(sent, out.ID)
	}
	if _, err := client.SendMessage(ctx, &participant.SendMessageInput{ConnectionToken: tok, ContentType: participant.ContentTypeJSON, Content: "{}"}); !errorsAs[*participant.ValidationError](err) {
		t.Fatalf("unsupported content type: %v", err)
	}

	// The transcript, whole, through the iterator, newest page first.
	var got []string
	for it, err := range client.Transcript(ctx, &participant.GetTranscriptInput{
		ConnectionToken: tok, ScanDirection: participant.ScanDirectionBackward, SortOrder: participant.SortOrderAscending, MaxResults: 2,
	}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, it.ID)
	}
	var want []string
	for _, it := range srv.Transcript(custP.ContactID) {
		want = append(want, it.ID)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("iterator read %d items, the transcript has %d", len(got), len(want))
	}
	page, err := client.GetTranscript(ctx, &participant.GetTranscriptInput{
		ConnectionToken: tok, StartPosition: &participant.StartPosition{ID: sent[0]}, SortOrder: participant.SortOrderAscending,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Transcript) != 3 || page.Transcript[0].ID != sent[0] || page.Transcript[2].ID != sent[2] || page.InitialContactID != custP.ContactID || page.NextToken != "" {
		t.Fatalf("FORWARD page %+v", page)
	}

	// Attachments.
	id, err := client.UploadAttachment(ctx, &participant.UploadAttachmentInput{ConnectionToken: tok, AttachmentName: "notes.txt", ContentType: "text/plain", AttachmentSizeInBytes: 5, Body: strings.NewReader("hello")})
	if err != nil {
		t.Fatal(err)
	}
	if it := aw.expectItem("ATTACHMENT", "text/plain"); it.Attachments[0].AttachmentID != id {
		t.Fatalf("attachment item %+v", it)
	}
	cw.item()
	dl, err := client.DownloadAttachment(ctx, agentTok, id)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(dl.Body)
	dl.Body.Close()
	if err != nil || string(body) != "hello" || dl.AttachmentSizeInBytes != 5 || dl.ContentType != "text/plain" {
		t.Fatalf("download %q %v %+v", body, err, dl)
	}
	ga, err := client.GetAttachment(ctx, &participant.GetAttachmentInput{ConnectionToken: tok, AttachmentID: id, URLExpiryInSeconds: 30})
	if err != nil || ga.URL == "" || ga.AttachmentSizeInBytes != 5 {
		t.Fatalf("GetAttachment %+v %v", ga, err)
	}

	// Views.
	srv.RegisterView("view/token", participanttest.View{ID: "v1", Name: "Form", Version: 2, Content: participanttest.ViewContent{Template: "{}", Actions: []string{"Submit"}}})
	dv, err := client.DescribeView(ctx, &participant.DescribeViewInput{ConnectionToken: tok, ViewToken: "view/token"})
	if err != nil || dv.View == nil || dv.View.ID != "v1" || dv.View.Version != 2 || dv.View.Content == nil || dv.View.Content.Actions[0] != "Submit" {
		t.Fatalf("DescribeView %+v %v", dv, err)
	}
	_, err = client.DescribeView(ctx, &participant.DescribeViewInput{ConnectionToken: tok, ViewToken: "other"})
	if !errorsAs[*participant.ResourceNotFoundError](err) {
		t.Fatalf("unknown view: %v", err)
	}

	// Authentication.
	session, err := srv.StartAuthentication(custP.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	cw.item()
	aw.item()
	au, err := client.GetAuthenticationUrl(ctx, &participant.GetAuthenticationUrlInput{ConnectionToken: tok, SessionID: session, RedirectURI: "https://app.example/back"})
	if err != nil || !strings.HasPrefix(au.AuthenticationURL, srv.URL+"/") {
		t.Fatalf("GetAuthenticationUrl %+v %v", au, err)
	}
	if _, err := client.CancelParticipantAuthentication(ctx, &participant.CancelParticipantAuthenticationInput{ConnectionToken: tok, SessionID: session}); err != nil {
		t.Fatal(err)
	}
	cw.expectItem("EVENT", "application/vnd.amazonaws.connect.event.authentication.cancelled")

	// Receipts and typing (SendEvent) were covered elsewhere; leave.
	if _, err := client.DisconnectParticipant(ctx, &participant.DisconnectParticipantInput{ConnectionToken: tok}); err != nil {
		t.Fatal(err)
	}
	cw.expectItem("EVENT", wire.ContentTypeParticipantLeft)
	cw.expectItem("EVENT", wire.ContentTypeChatEnded)
	_, err = client.SendMessage(ctx, &participant.SendMessageInput{ConnectionToken: agentTok, ContentType: participant.ContentTypePlainText, Content: "gone?"})
	var denied *participant.AccessDeniedError
	var re *participant.ResponseError
	if !errors.As(err, &denied) || !errors.As(err, &re) || re.StatusCode != 403 || re.RequestID == "" {
		t.Fatalf("after the chat ended: %v", err)
	}
}

func errorsAs[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}
