package participant_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"

	"github.com/connectchat/participant"
)

// Errors from the service are reached with errors.As; the ResponseError
// around them holds the status and the request id.
func Example_errors() {
	// A stand-in for the service that rejects the token.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException")
		w.Header().Set("x-amzn-RequestId", "4f2c8a1e")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"message":"Access denied"}`)
	}))
	defer srv.Close()
	c := participant.New(participant.Options{BaseEndpoint: srv.URL})
	defer c.CloseIdleConnections()

	_, err := c.SendEvent(context.Background(), &participant.SendEventInput{
		ConnectionToken: "expired-connection-token",
		ContentType:     participant.ContentTypeTyping,
	})
	var denied *participant.AccessDeniedError
	var re *participant.ResponseError
	if errors.As(err, &denied) && errors.As(err, &re) {
		fmt.Println("chat is over:", denied.Message)
		fmt.Println("status:", re.StatusCode, "request id:", re.RequestID)
	}
	fmt.Println(err)
	// Output:
	// chat is over: Access denied
	// status: 403 request id: 4f2c8a1e
	// operation error ConnectParticipant: SendEvent, https response error StatusCode: 403, RequestID: 4f2c8a1e, AccessDeniedException: Access denied
}

// Input is checked against the service model before anything is sent; one
// error names every bad field.
func Example_validation() {
	c := participant.New(participant.Options{Region: "us-east-1"})
	_, err := c.SendEvent(context.Background(), &participant.SendEventInput{
		ContentType: "application/vnd.amazonaws.connect.event.typing",
		ClientToken: string(make([]byte, 501)),
	})
	fmt.Print(err)
	// Output:
	// operation error ConnectParticipant: SendEvent, 2 validation error(s) found.
	// - missing required field, SendEventInput.ConnectionToken.
	// - length must be 0 to 500 characters, got more than 500, SendEventInput.ClientToken.
}

// Throttling is retried with backoff; the same ClientToken goes on every
// attempt, so the service acts on the event once.
func Example_retries() {
	var attempts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if attempts.Add(1) < 3 {
			w.WriteHeader(http.StatusTooManyRequests) // no error code: still throttling
			return
		}
		_, _ = io.WriteString(w, `{"Id":"event-1","AbsoluteTime":"2026-11-29T10:00:00.000Z"}`)
	}))
	defer srv.Close()
	c := participant.New(participant.Options{
		BaseEndpoint:     srv.URL,
		RetryMaxAttempts: 3,
		// Standard mode, with backoff capped at 20 ms for the example.
		Retryer: retry.AddWithMaxBackoffDelay(retry.NewStandard(), 20*time.Millisecond),
	})
	defer c.CloseIdleConnections()

	out, err := c.SendEvent(context.Background(), &participant.SendEventInput{
		ConnectionToken: "connection-token",
		ContentType:     participant.ContentTypeTyping,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.ID, "after", attempts.Load(), "attempts")

	// With retries off, the first 429 is returned as a ThrottlingError.
	attempts.Store(0)
	_, err = c.SendEvent(context.Background(), &participant.SendEventInput{
		ConnectionToken: "connection-token",
		ContentType:     participant.ContentTypeTyping,
	}, func(o *participant.Options) { o.Retryer = aws.NopRetryer{} })
	var throttled *participant.ThrottlingError
	fmt.Println("throttled:", errors.As(err, &throttled))
	// Output:
	// event-1 after 3 attempts
	// throttled: true
}

// A Token never prints its value; Reveal returns it.
func ExampleToken() {
	tok := participant.Token("a-secret-connection-token")
	fmt.Println(tok)
	fmt.Printf("%v %s %q %#v\n", tok, tok, tok, tok)
	fmt.Printf("%+v\n", participant.SendEventInput{ConnectionToken: tok, ContentType: participant.ContentTypeTyping})
	fmt.Println(len(tok.Reveal()))
	// Output:
	// REDACTED
	// REDACTED REDACTED REDACTED REDACTED
	// {ConnectionToken:REDACTED ContentType:application/vnd.amazonaws.connect.event.typing Content: ClientToken:}
	// 25
}
