package participant_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/connectchat/participant"
)

// A customer's chat widget connects with the participant token its backend
// got from StartChatContact, then uses the connection token it receives.
func ExampleClient_CreateParticipantConnection() {
	// A stand-in for the service.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/participant/connection":
			_, _ = io.WriteString(w, `{
				"Websocket": {"Url": "wss://example.com/socket", "ConnectionExpiry": "2026-11-29T10:01:40.000Z"},
				"ConnectionCredentials": {"ConnectionToken": "connection-token", "Expiry": "2026-11-30T10:00:00.000Z"}}`)
		case "/participant/message":
			_, _ = io.WriteString(w, `{"Id": "msg-1", "AbsoluteTime": "2026-11-29T10:00:02.000Z"}`)
		}
	}))
	defer srv.Close()
	c := participant.New(participant.Options{BaseEndpoint: srv.URL})
	defer c.CloseIdleConnections()
	ctx := context.Background()

	conn, err := c.CreateParticipantConnection(ctx, &participant.CreateParticipantConnectionInput{
		ParticipantToken:   "participant-token",
		Type:               []participant.ConnectionType{participant.ConnectionTypeWebsocket, participant.ConnectionTypeConnectionCredentials},
		ConnectParticipant: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("socket:", conn.Websocket.URL, "until", conn.Websocket.ConnectionExpiry.Format("15:04:05"))
	fmt.Println("token:", conn.ConnectionCredentials.ConnectionToken) // prints REDACTED

	msg, err := c.SendMessage(ctx, &participant.SendMessageInput{
		ConnectionToken: conn.ConnectionCredentials.ConnectionToken,
		ContentType:     participant.ContentTypePlainText,
		Content:         "Hello!",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("sent", msg.ID, "at", msg.AbsoluteTime.Format("15:04:05"))
	// Output:
	// socket: wss://example.com/socket until 10:01:40
	// token: REDACTED
	// sent msg-1 at 10:00:02
}

// Transcript reads every page of the transcript. Here: the whole chat,
// oldest first, from a service that has it in two pages.
func ExampleClient_Transcript() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ NextToken string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		if in.NextToken == "" {
			_, _ = io.WriteString(w, `{"NextToken": "page-2", "Transcript": [
				{"Id": "1", "Type": "EVENT", "ContentType": "application/vnd.amazonaws.connect.event.participant.joined", "DisplayName": "Ana", "ParticipantRole": "AGENT"},
				{"Id": "2", "Type": "MESSAGE", "ContentType": "text/plain", "Content": "Hi, how can I help?", "DisplayName": "Ana", "ParticipantRole": "AGENT"}]}`)
			return
		}
		_, _ = io.WriteString(w, `{"Transcript": [
			{"Id": "3", "Type": "MESSAGE", "ContentType": "text/plain", "Content": "Where is my parcel?", "DisplayName": "Sam", "ParticipantRole": "CUSTOMER"}]}`)
	}))
	defer srv.Close()
	c := participant.New(participant.Options{BaseEndpoint: srv.URL})
	defer c.CloseIdleConnections()

	in := &participant.GetTranscriptInput{
		ConnectionToken: "connection-token",
		ScanDirection:   participant.ScanDirectionBackward,
		SortOrder:       participant.SortOrderAscending,
		MaxResults:      100,
	}
	for item, err := range c.Transcript(context.Background(), in) {
		if err != nil {
			log.Fatal(err)
		}
		switch item.Type {
		case participant.ChatItemTypeMessage:
			fmt.Printf("%s (%s): %s\n", item.DisplayName, item.ParticipantRole, item.Content)
		default:
			fmt.Printf("[%s %s]\n", item.Type, item.ContentType)
		}
	}
	// Output:
	// [EVENT application/vnd.amazonaws.connect.event.participant.joined]
	// Ana (AGENT): Hi, how can I help?
	// Sam (CUSTOMER): Where is my parcel?
}

// UploadAttachment runs the three steps of an upload: start, PUT to the
// presigned URL with exactly the headers the service asks for, complete.
func ExampleClient_UploadAttachment() {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method + " " + r.URL.Path {
		case "POST /participant/start-attachment-upload":
			fmt.Fprintf(w, `{"AttachmentId": "att-1", "UploadMetadata": {
				"Url": "%s/bucket/att-1?X-Amz-Signature=secret",
				"HeadersToInclude": {"Content-Type": "text/plain"}}}`, srv.URL)
		case "PUT /bucket/att-1":
			b, _ := io.ReadAll(r.Body)
			fmt.Printf("storage got %d bytes of %s\n", len(b), r.Header.Get("Content-Type"))
		case "POST /participant/complete-attachment-upload":
			_, _ = io.WriteString(w, `{}`)
		}
	}))
	defer srv.Close()
	c := participant.New(participant.Options{BaseEndpoint: srv.URL})
	defer c.CloseIdleConnections()

	file := []byte("order 1234: two parcels")
	id, err := c.UploadAttachment(context.Background(), &participant.UploadAttachmentInput{
		ConnectionToken:       "connection-token",
		AttachmentName:        "order.txt",
		ContentType:           "text/plain",
		AttachmentSizeInBytes: int64(len(file)),
		Body:                  bytes.NewReader(file),
		Progress:              func(sent, total int64) { fmt.Printf("sent %d of %d\n", sent, total) },
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("attachment", id)
	// Output:
	// sent 23 of 23
	// storage got 23 bytes of text/plain
	// attachment att-1
}

// Items that arrive on the WebSocket decode with encoding/json, as the
// service writes them.
func ExampleItem() {
	content := `{"AbsoluteTime":"2026-11-29T10:00:00.123Z","Type":"MESSAGEMETADATA",
		"ContentType":"application/vnd.amazonaws.connect.event.message.metadata",
		"MessageMetadata":{"MessageId":"msg-1","Receipts":[{"ReadTimestamp":"2026-11-29T10:00:05.000Z","RecipientParticipantId":"p-2"}]}}`
	var item participant.Item
	if err := json.NewDecoder(strings.NewReader(content)).Decode(&item); err != nil {
		log.Fatal(err)
	}
	if item.Type == participant.ChatItemTypeMessageMetadata {
		r := item.MessageMetadata.Receipts[0]
		fmt.Println(item.MessageMetadata.MessageID, "read by", r.RecipientParticipantID, "at", r.ReadTimestamp.Format("15:04:05"))
	}
	// Output:
	// msg-1 read by p-2 at 10:00:05
}
