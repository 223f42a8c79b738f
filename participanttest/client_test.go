package participanttest_test

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/internal/wire"
	"github.com/connectchat/participant/participanttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every operation of participant.Client against the emulator: the two sides
// of the wire agree.
func TestClientAgainstEmulator(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ctx := t.Context()
	custP, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann", SupportedMessagingContentTypes: []string{"text/plain", "text/markdown"}})
	require.NoError(t, err)
	agentP, _ := srv.AddParticipant(custP.ContactID, participanttest.RoleAgent, "Bo")
	client := srv.Client(func(o *participant.Options) { o.RetryMaxAttempts = 1 })

	connect := func(p participanttest.Participant) (participant.Token, string) {
		t.Helper()
		out, err := client.CreateParticipantConnection(ctx, &participant.CreateParticipantConnectionInput{
			ParticipantToken:   p.ParticipantToken,
			Type:               []participant.ConnectionType{participant.ConnectionTypeWebsocket, participant.ConnectionTypeConnectionCredentials},
			ConnectParticipant: true,
		})
		require.NoError(t, err)
		require.NotNil(t, out.Websocket, "CreateParticipantConnection: %+v", out)
		require.NotNil(t, out.ConnectionCredentials, "CreateParticipantConnection: %+v", out)
		require.False(t, out.Websocket.ConnectionExpiry.IsZero(), "CreateParticipantConnection: no Websocket.ConnectionExpiry in %+v", out)
		require.False(t, out.ConnectionCredentials.Expiry.IsZero(), "CreateParticipantConnection: no ConnectionCredentials.Expiry in %+v", out)
		require.NotEmpty(t, out.RequestID, "CreateParticipantConnection: %+v", out)
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
		require.NoError(t, err)
		it := aw.expectItem("MESSAGE", "text/markdown")
		require.Equal(t, out.ID, it.ID, "socket item %+v, output %+v", it, out)
		require.Equal(t, text, it.Content, "socket item %+v", it)
		cw.item()
		sent = append(sent, out.ID)
	}
	_, err = client.SendMessage(ctx, &participant.SendMessageInput{ConnectionToken: tok, ContentType: participant.ContentTypeJSON, Content: "{}"})
	var invalid *participant.ValidationError
	require.ErrorAs(t, err, &invalid, "unsupported content type")

	// The transcript, whole, through the iterator, newest page first.
	var got []string
	for it, err := range client.Transcript(ctx, &participant.GetTranscriptInput{
		ConnectionToken: tok, ScanDirection: participant.ScanDirectionBackward, SortOrder: participant.SortOrderAscending, MaxResults: 2,
	}) {
		require.NoError(t, err)
		got = append(got, it.ID)
	}
	var want []string
	for _, it := range srv.Transcript(custP.ContactID) {
		want = append(want, it.ID)
	}
	slices.Sort(got)
	slices.Sort(want)
	require.Equal(t, want, got, "the iterator's items (sorted) against the transcript's")
	page, err := client.GetTranscript(ctx, &participant.GetTranscriptInput{
		ConnectionToken: tok, StartPosition: &participant.StartPosition{ID: sent[0]}, SortOrder: participant.SortOrderAscending,
	})
	require.NoError(t, err)
	require.Len(t, page.Transcript, 3, "FORWARD page %+v", page)
	require.Equal(t, sent[0], page.Transcript[0].ID, "FORWARD page %+v", page)
	require.Equal(t, sent[2], page.Transcript[2].ID, "FORWARD page %+v", page)
	require.Equal(t, custP.ContactID, page.InitialContactID, "FORWARD page %+v", page)
	require.Empty(t, page.NextToken, "FORWARD page %+v", page)

	// Attachments.
	id, err := client.UploadAttachment(ctx, &participant.UploadAttachmentInput{ConnectionToken: tok, AttachmentName: "notes.txt", ContentType: "text/plain", AttachmentSizeInBytes: 5, Body: strings.NewReader("hello")})
	require.NoError(t, err)
	att := aw.expectItem("ATTACHMENT", "text/plain")
	require.NotEmpty(t, att.Attachments, "attachment item %+v", att)
	require.Equal(t, id, att.Attachments[0].AttachmentID, "attachment item %+v", att)
	cw.item()
	dl, err := client.DownloadAttachment(ctx, agentTok, id)
	require.NoError(t, err)
	body, err := io.ReadAll(dl.Body)
	dl.Body.Close()
	require.NoError(t, err, "download")
	require.Equal(t, "hello", string(body), "download %+v", dl)
	require.Equal(t, int64(5), dl.AttachmentSizeInBytes, "download %+v", dl)
	require.Equal(t, "text/plain", dl.ContentType, "download %+v", dl)
	ga, err := client.GetAttachment(ctx, &participant.GetAttachmentInput{ConnectionToken: tok, AttachmentID: id, URLExpiryInSeconds: 30})
	require.NoError(t, err, "GetAttachment")
	require.NotEmpty(t, ga.URL, "GetAttachment %+v", ga)
	require.Equal(t, int64(5), ga.AttachmentSizeInBytes, "GetAttachment %+v", ga)

	// Views.
	srv.RegisterView("view/token", participanttest.View{ID: "v1", Name: "Form", Version: 2, Content: participanttest.ViewContent{Template: "{}", Actions: []string{"Submit"}}})
	dv, err := client.DescribeView(ctx, &participant.DescribeViewInput{ConnectionToken: tok, ViewToken: "view/token"})
	require.NoError(t, err, "DescribeView")
	require.NotNil(t, dv.View, "DescribeView %+v", dv)
	require.Equal(t, "v1", dv.View.ID, "DescribeView %+v", dv.View)
	require.Equal(t, int32(2), dv.View.Version, "DescribeView %+v", dv.View)
	require.NotNil(t, dv.View.Content, "DescribeView %+v", dv.View)
	require.NotEmpty(t, dv.View.Content.Actions, "DescribeView %+v", dv.View.Content)
	require.Equal(t, "Submit", dv.View.Content.Actions[0], "DescribeView %+v", dv.View.Content)
	_, err = client.DescribeView(ctx, &participant.DescribeViewInput{ConnectionToken: tok, ViewToken: "other"})
	var notFound *participant.ResourceNotFoundError
	require.ErrorAs(t, err, &notFound, "unknown view")

	// Authentication.
	session, err := srv.StartAuthentication(custP.ContactID)
	require.NoError(t, err)
	cw.item()
	aw.item()
	au, err := client.GetAuthenticationUrl(ctx, &participant.GetAuthenticationUrlInput{ConnectionToken: tok, SessionID: session, RedirectURI: "https://app.example/back"})
	require.NoError(t, err, "GetAuthenticationUrl")
	require.True(t, strings.HasPrefix(au.AuthenticationURL, srv.URL+"/"), "GetAuthenticationUrl %+v, want a URL on %s", au, srv.URL)
	_, err = client.CancelParticipantAuthentication(ctx, &participant.CancelParticipantAuthenticationInput{ConnectionToken: tok, SessionID: session})
	require.NoError(t, err)
	cw.expectItem("EVENT", "application/vnd.amazonaws.connect.event.authentication.cancelled")

	// Receipts and typing (SendEvent) were covered elsewhere; leave.
	_, err = client.DisconnectParticipant(ctx, &participant.DisconnectParticipantInput{ConnectionToken: tok})
	require.NoError(t, err)
	cw.expectItem("EVENT", wire.ContentTypeParticipantLeft)
	cw.expectItem("EVENT", wire.ContentTypeChatEnded)
	_, err = client.SendMessage(ctx, &participant.SendMessageInput{ConnectionToken: agentTok, ContentType: participant.ContentTypePlainText, Content: "gone?"})
	var denied *participant.AccessDeniedError
	var re *participant.ResponseError
	require.ErrorAs(t, err, &denied, "after the chat ended")
	require.ErrorAs(t, err, &re, "after the chat ended")
	assert.Equal(t, 403, re.StatusCode, "after the chat ended: %v", err)
	assert.NotEmpty(t, re.RequestID, "after the chat ended: %v", err)
}
