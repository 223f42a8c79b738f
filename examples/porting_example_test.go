package examples_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/smithy-go"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/participanttest"
)

// Example_porting is a small aws-sdk-go-v2 connectparticipant program after
// porting, as the README's porting table describes it: each comment shows
// the aws-sdk-go-v2 code it replaces. It runs against the local service.
func Example_porting() {
	ctx := context.Background()
	srv := participanttest.NewServer(participanttest.WithSeed(1))
	defer srv.Close()
	cust, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann"})
	if err != nil {
		panic(err)
	}

	// connectparticipant.New(connectparticipant.Options{Region: "us-east-1", BaseEndpoint: aws.String(url)})
	c := participant.New(participant.Options{Region: "us-east-1", BaseEndpoint: srv.URL})
	defer c.CloseIdleConnections()

	conn, err := c.CreateParticipantConnection(ctx, &participant.CreateParticipantConnectionInput{
		ParticipantToken:   cust.ParticipantToken,                                                         // aws.String(participantToken)
		Type:               []participant.ConnectionType{participant.ConnectionTypeConnectionCredentials}, // []types.ConnectionType{types.ConnectionTypeConnectionCredentials}
		ConnectParticipant: true,                                                                          // aws.Bool(true)
	})
	if err != nil {
		panic(err)
	}
	tok := conn.ConnectionCredentials.ConnectionToken // a participant.Token; aws.ToString(...ConnectionToken)
	fmt.Println("token prints as", tok)               // tok.Reveal() is the string
	// A time.Time; aws-sdk-go-v2 has a *string in the service's format.
	fmt.Println("expiry known:", !conn.ConnectionCredentials.Expiry.IsZero())

	msg, err := c.SendMessage(ctx, &participant.SendMessageInput{
		ConnectionToken: tok,                              // aws.String(tok)
		ContentType:     participant.ContentTypePlainText, // aws.String("text/plain")
		Content:         "Hello",                          // aws.String("Hello")
	})
	if err != nil {
		panic(err)
	}
	// aws.ToString(msg.Id), aws.ToString(msg.AbsoluteTime) (a string),
	// awsmiddleware.GetRequestIDMetadata(msg.ResultMetadata)
	fmt.Println("sent:", msg.ID != "", !msg.AbsoluteTime.IsZero(), msg.RequestID != "")

	// p := connectparticipant.NewGetTranscriptPaginator(client, in)
	// for p.HasMorePages() { page, err := p.NextPage(ctx); for _, it := range page.Transcript {...} }
	in := &participant.GetTranscriptInput{
		ConnectionToken: tok,
		SortOrder:       participant.SortOrderAscending, // types.SortKeyAscending
		MaxResults:      2,                              // aws.Int32(2)
	}
	for it, err := range c.Transcript(ctx, in) {
		if err != nil {
			panic(err)
		}
		if it.Type == participant.ChatItemTypeMessage { // types.ChatItemTypeMessage
			fmt.Println("transcript:", it.DisplayName, it.Content) // aws.ToString(it.DisplayName), ...
		}
	}

	// A ValidationException from the service.
	srv.Inject(participanttest.Fail(participanttest.OpSendMessage, "ValidationException").Times(3))
	_, err = c.SendMessage(ctx, &participant.SendMessageInput{ConnectionToken: tok, ContentType: participant.ContentTypePlainText, Content: "x"})
	var ve *participant.ValidationError // not *types.ValidationException: that compiles and never matches
	fmt.Println("ValidationError:", errors.As(err, &ve))
	var ae smithy.APIError // matches with both libraries
	if errors.As(err, &ae) {
		fmt.Println("code:", ae.ErrorCode())
	}
	var status interface{ HTTPStatusCode() int } // *awshttp.ResponseError there, *participant.ResponseError here
	if errors.As(err, &status) {
		fmt.Println("status:", status.HTTPStatusCode())
	}
	// Output:
	// token prints as REDACTED
	// expiry known: true
	// sent: true true true
	// transcript: Ann Hello
	// ValidationError: true
	// code: ValidationException
	// status: 400
}
