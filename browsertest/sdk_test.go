package browsertest

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	connecttypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/chromedp/chromedp"
	"github.com/connectchat/participant/participanttest"
	"github.com/stretchr/testify/require"
)

// dummyCredentials sign the Connect client's requests; the local service
// accepts SigV4 and ignores it. Not a secret.
var dummyCredentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "browsertest", SecretAccessKey: "browsertest-dummy-secret", Source: "browsertest"}, nil
})

// TestConsoleShowsSDKChat: a chat that aws-sdk-go-v2's Amazon Connect client
// starts shows up in an open console without a reload, with its customer,
// the built-in agent and the initial message.
func TestConsoleShowsSDKChat(t *testing.T) {
	needBrowser(t)
	t.Parallel()
	srv := newServer(t, participanttest.WithAgent(func() participanttest.Agent { return participanttest.EchoAgent{} }))
	page := newTab(t, "console")
	page.do(t, "opening the console", chromedp.Navigate(srv.URL+"/"))
	page.wait(t, "the empty list", visible("no-contacts"))

	cc := connect.New(connect.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  dummyCredentials,
		HTTPClient:   srv.HTTPClient(),
	})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	out, err := cc.StartChatContact(ctx, &connect.StartChatContactInput{
		InstanceId:         aws.String("browsertest-instance"),
		ContactFlowId:      aws.String("browsertest-flow"),
		ParticipantDetails: &connecttypes.ParticipantDetails{DisplayName: aws.String("Sam SDK")},
		InitialMessage:     &connecttypes.ChatMessage{ContentType: aws.String("text/plain"), Content: aws.String("Hi from aws-sdk-go-v2")},
	})
	require.NoError(t, err)
	id := aws.ToString(out.ContactId)
	require.NotEmpty(t, id)

	item := `li[data-contact="` + id + `"]`
	page.wait(t, "the SDK's chat in the list", textIn(item+" .who", "Sam SDK"))
	page.wait(t, "its participants", textIn(item+" .people", "Sam SDK · customer")+" && "+textIn(item+" .people", "Echo · agent (built-in)"))
	page.wait(t, "its last message", textIn(item+" .last", "Sam SDK: Hi from aws-sdk-go-v2"))
	page.do(t, "opening it", clickNow(item))
	page.wait(t, "the initial message", textIn("#transcript li.CUSTOMER .body", "Hi from aws-sdk-go-v2"))
	page.wait(t, "the echo agent joining", textIn(`#transcript li[data-type="participant.joined"]`, "Echo (agent) joined"))
	page.wait(t, "the take-over button", visible("takeover"))
	page.shot(t, "chat")

	// StopContact through the SDK: the list says so.
	_, err = cc.StopContact(ctx, &connect.StopContactInput{InstanceId: aws.String("browsertest-instance"), ContactId: out.ContactId})
	require.NoError(t, err)
	page.wait(t, "the chat ended", textIn(item+" .badge", "ended"))
	page.wait(t, "chat.ended in the watched transcript", `!!document.querySelector('#transcript li[data-type="chat.ended"]')`)
	page.shot(t, "ended")
}
