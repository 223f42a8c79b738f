package participant_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/connectchat/participant"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	valTok     = participant.Token("valid-token")
	valSession = "0b7a3c52-5d2e-4f61-a8b9-6c1d2e3f4a5b" // 36 characters
)

// TestOperationValidation breaks one constraint of the service model per
// case and checks that the operation names exactly that field and sends
// nothing.
func TestOperationValidation(t *testing.T) {
	t.Parallel()
	var sent atomic.Int32
	c, mux := setup(t)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { sent.Add(1) })

	long := func(n int) string { return strings.Repeat("x", n) }
	type call = func(context.Context, *participant.Client) error

	cpc := func(mod func(*participant.CreateParticipantConnectionInput)) call {
		return func(ctx context.Context, c *participant.Client) error {
			in := &participant.CreateParticipantConnectionInput{ParticipantToken: valTok, Type: []participant.ConnectionType{participant.ConnectionTypeWebsocket}}
			mod(in)
			_, err := c.CreateParticipantConnection(ctx, in)
			return err
		}
	}
	sm := func(mod func(*participant.SendMessageInput)) call {
		return func(ctx context.Context, c *participant.Client) error {
			in := &participant.SendMessageInput{ConnectionToken: valTok, ContentType: participant.ContentTypePlainText, Content: "hi"}
			mod(in)
			_, err := c.SendMessage(ctx, in)
			return err
		}
	}
	gt := func(mod func(*participant.GetTranscriptInput)) call {
		return func(ctx context.Context, c *participant.Client) error {
			in := &participant.GetTranscriptInput{ConnectionToken: valTok}
			mod(in)
			_, err := c.GetTranscript(ctx, in)
			return err
		}
	}
	dp := func(mod func(*participant.DisconnectParticipantInput)) call {
		return func(ctx context.Context, c *participant.Client) error {
			in := &participant.DisconnectParticipantInput{ConnectionToken: valTok}
			mod(in)
			_, err := c.DisconnectParticipant(ctx, in)
			return err
		}
	}
	sau := func(mod func(*participant.StartAttachmentUploadInput)) call {
		return func(ctx context.Context, c *participant.Client) error {
			in := &participant.StartAttachmentUploadInput{ConnectionToken: valTok, ContentType: "image/png", AttachmentSizeInBytes: 10, AttachmentName: "a.png"}
			mod(in)
			_, err := c.StartAttachmentUpload(ctx, in)
			return err
		}
	}
	cau := func(mod func(*participant.CompleteAttachmentUploadInput)) call {
		return func(ctx context.Context, c *participant.Client) error {
			in := &participant.CompleteAttachmentUploadInput{ConnectionToken: valTok, AttachmentIDs: []string{"a1"}}
			mod(in)
			_, err := c.CompleteAttachmentUpload(ctx, in)
			return err
		}
	}
	ga := func(mod func(*participant.GetAttachmentInput)) call {
		return func(ctx context.Context, c *participant.Client) error {
			in := &participant.GetAttachmentInput{ConnectionToken: valTok, AttachmentID: "a1"}
			mod(in)
			_, err := c.GetAttachment(ctx, in)
			return err
		}
	}
	dv := func(mod func(*participant.DescribeViewInput)) call {
		return func(ctx context.Context, c *participant.Client) error {
			in := &participant.DescribeViewInput{ConnectionToken: valTok, ViewToken: "v"}
			mod(in)
			_, err := c.DescribeView(ctx, in)
			return err
		}
	}
	gau := func(mod func(*participant.GetAuthenticationUrlInput)) call {
		return func(ctx context.Context, c *participant.Client) error {
			in := &participant.GetAuthenticationUrlInput{ConnectionToken: valTok, SessionID: valSession, RedirectURI: "https://r"}
			mod(in)
			_, err := c.GetAuthenticationUrl(ctx, in)
			return err
		}
	}
	cpa := func(mod func(*participant.CancelParticipantAuthenticationInput)) call {
		return func(ctx context.Context, c *participant.Client) error {
			in := &participant.CancelParticipantAuthenticationInput{ConnectionToken: valTok, SessionID: valSession}
			mod(in)
			_, err := c.CancelParticipantAuthentication(ctx, in)
			return err
		}
	}

	tests := []struct {
		name   string
		op     string
		call   call
		fields []string // Field() of each violation, in order
	}{
		// CreateParticipantConnection
		{"nil input", "CreateParticipantConnection", func(ctx context.Context, c *participant.Client) error {
			_, err := c.CreateParticipantConnection(ctx, nil)
			return err
		}, []string{"CreateParticipantConnectionInput.ParticipantToken"}},
		{"participant token missing", "CreateParticipantConnection", cpc(func(in *participant.CreateParticipantConnectionInput) { in.ParticipantToken = "" }), []string{"CreateParticipantConnectionInput.ParticipantToken"}},
		{"participant token too long", "CreateParticipantConnection", cpc(func(in *participant.CreateParticipantConnectionInput) {
			in.ParticipantToken = participant.Token(long(1001))
		}), []string{"CreateParticipantConnectionInput.ParticipantToken"}},
		{"unknown connection type", "CreateParticipantConnection", cpc(func(in *participant.CreateParticipantConnectionInput) {
			in.Type = []participant.ConnectionType{participant.ConnectionTypeWebsocket, "CARRIER_PIGEON"}
		}), []string{"CreateParticipantConnectionInput.Type[1]"}},
		{"empty connection type", "CreateParticipantConnection", cpc(func(in *participant.CreateParticipantConnectionInput) {
			in.Type = []participant.ConnectionType{""}
		}), []string{"CreateParticipantConnectionInput.Type[0]"}},

		// SendMessage
		{"nil input", "SendMessage", func(ctx context.Context, c *participant.Client) error {
			_, err := c.SendMessage(ctx, nil)
			return err
		}, []string{"SendMessageInput.ConnectionToken", "SendMessageInput.ContentType", "SendMessageInput.Content"}},
		{"connection token with CR LF", "SendMessage", sm(func(in *participant.SendMessageInput) { in.ConnectionToken = "a\r\nX: y" }), []string{"SendMessageInput.ConnectionToken"}},
		{"content type missing", "SendMessage", sm(func(in *participant.SendMessageInput) { in.ContentType = "" }), []string{"SendMessageInput.ContentType"}},
		{"content type too long", "SendMessage", sm(func(in *participant.SendMessageInput) { in.ContentType = participant.ContentType(long(101)) }), []string{"SendMessageInput.ContentType"}},
		{"content missing", "SendMessage", sm(func(in *participant.SendMessageInput) { in.Content = "" }), []string{"SendMessageInput.Content"}},
		{"content too long in characters", "SendMessage", sm(func(in *participant.SendMessageInput) { in.Content = strings.Repeat("é", 16385) }), []string{"SendMessageInput.Content"}},
		{"content invalid UTF-8", "SendMessage", sm(func(in *participant.SendMessageInput) { in.Content = "a\xff" }), []string{"SendMessageInput.Content"}},
		{"client token too long", "SendMessage", sm(func(in *participant.SendMessageInput) { in.ClientToken = long(501) }), []string{"SendMessageInput.ClientToken"}},

		// GetTranscript
		{"nil input", "GetTranscript", func(ctx context.Context, c *participant.Client) error {
			_, err := c.GetTranscript(ctx, nil)
			return err
		}, []string{"GetTranscriptInput.ConnectionToken"}},
		{"contact id too long", "GetTranscript", gt(func(in *participant.GetTranscriptInput) { in.ContactID = long(257) }), []string{"GetTranscriptInput.ContactID"}},
		{"max results over 100", "GetTranscript", gt(func(in *participant.GetTranscriptInput) { in.MaxResults = 101 }), []string{"GetTranscriptInput.MaxResults"}},
		{"max results negative", "GetTranscript", gt(func(in *participant.GetTranscriptInput) { in.MaxResults = -1 }), []string{"GetTranscriptInput.MaxResults"}},
		{"next token too long", "GetTranscript", gt(func(in *participant.GetTranscriptInput) { in.NextToken = long(1001) }), []string{"GetTranscriptInput.NextToken"}},
		{"unknown scan direction", "GetTranscript", gt(func(in *participant.GetTranscriptInput) { in.ScanDirection = "SIDEWAYS" }), []string{"GetTranscriptInput.ScanDirection"}},
		{"lower-case scan direction", "GetTranscript", gt(func(in *participant.GetTranscriptInput) { in.ScanDirection = "backward" }), []string{"GetTranscriptInput.ScanDirection"}},
		{"unknown sort order", "GetTranscript", gt(func(in *participant.GetTranscriptInput) { in.SortOrder = "RANDOM" }), []string{"GetTranscriptInput.SortOrder"}},
		{"forward without start position", "GetTranscript", gt(func(in *participant.GetTranscriptInput) { in.ScanDirection = participant.ScanDirectionForward }), []string{"GetTranscriptInput.ScanDirection"}},
		{"start position id too long", "GetTranscript", gt(func(in *participant.GetTranscriptInput) { in.StartPosition = &participant.StartPosition{ID: long(257)} }), []string{"GetTranscriptInput.StartPosition.ID"}},
		{"most recent over 100", "GetTranscript", gt(func(in *participant.GetTranscriptInput) {
			in.StartPosition = &participant.StartPosition{MostRecent: 101}
		}), []string{"GetTranscriptInput.StartPosition.MostRecent"}},
		{"most recent negative", "GetTranscript", gt(func(in *participant.GetTranscriptInput) {
			in.StartPosition = &participant.StartPosition{MostRecent: -1}
		}), []string{"GetTranscriptInput.StartPosition.MostRecent"}},

		// DisconnectParticipant
		{"nil input", "DisconnectParticipant", func(ctx context.Context, c *participant.Client) error {
			_, err := c.DisconnectParticipant(ctx, nil)
			return err
		}, []string{"DisconnectParticipantInput.ConnectionToken"}},
		{"client token too long", "DisconnectParticipant", dp(func(in *participant.DisconnectParticipantInput) { in.ClientToken = long(501) }), []string{"DisconnectParticipantInput.ClientToken"}},

		// StartAttachmentUpload
		{"nil input", "StartAttachmentUpload", func(ctx context.Context, c *participant.Client) error {
			_, err := c.StartAttachmentUpload(ctx, nil)
			return err
		}, []string{"StartAttachmentUploadInput.ConnectionToken", "StartAttachmentUploadInput.ContentType", "StartAttachmentUploadInput.AttachmentSizeInBytes", "StartAttachmentUploadInput.AttachmentName"}},
		{"content type too long", "StartAttachmentUpload", sau(func(in *participant.StartAttachmentUploadInput) { in.ContentType = long(256) }), []string{"StartAttachmentUploadInput.ContentType"}},
		{"size zero", "StartAttachmentUpload", sau(func(in *participant.StartAttachmentUploadInput) { in.AttachmentSizeInBytes = 0 }), []string{"StartAttachmentUploadInput.AttachmentSizeInBytes"}},
		{"size negative", "StartAttachmentUpload", sau(func(in *participant.StartAttachmentUploadInput) { in.AttachmentSizeInBytes = -5 }), []string{"StartAttachmentUploadInput.AttachmentSizeInBytes"}},
		{"name missing", "StartAttachmentUpload", sau(func(in *participant.StartAttachmentUploadInput) { in.AttachmentName = "" }), []string{"StartAttachmentUploadInput.AttachmentName"}},
		{"name too long", "StartAttachmentUpload", sau(func(in *participant.StartAttachmentUploadInput) { in.AttachmentName = long(257) }), []string{"StartAttachmentUploadInput.AttachmentName"}},
		{"client token too long", "StartAttachmentUpload", sau(func(in *participant.StartAttachmentUploadInput) { in.ClientToken = long(501) }), []string{"StartAttachmentUploadInput.ClientToken"}},

		// CompleteAttachmentUpload
		{"nil input", "CompleteAttachmentUpload", func(ctx context.Context, c *participant.Client) error {
			_, err := c.CompleteAttachmentUpload(ctx, nil)
			return err
		}, []string{"CompleteAttachmentUploadInput.ConnectionToken", "CompleteAttachmentUploadInput.AttachmentIDs"}},
		{"no attachment ids", "CompleteAttachmentUpload", cau(func(in *participant.CompleteAttachmentUploadInput) { in.AttachmentIDs = []string{} }), []string{"CompleteAttachmentUploadInput.AttachmentIDs"}},
		{"two attachment ids", "CompleteAttachmentUpload", cau(func(in *participant.CompleteAttachmentUploadInput) { in.AttachmentIDs = []string{"a1", "a2"} }), []string{"CompleteAttachmentUploadInput.AttachmentIDs"}},
		{"empty attachment id", "CompleteAttachmentUpload", cau(func(in *participant.CompleteAttachmentUploadInput) { in.AttachmentIDs = []string{""} }), []string{"CompleteAttachmentUploadInput.AttachmentIDs[0]"}},
		{"attachment id too long", "CompleteAttachmentUpload", cau(func(in *participant.CompleteAttachmentUploadInput) { in.AttachmentIDs = []string{long(257)} }), []string{"CompleteAttachmentUploadInput.AttachmentIDs[0]"}},
		{"client token too long", "CompleteAttachmentUpload", cau(func(in *participant.CompleteAttachmentUploadInput) { in.ClientToken = long(501) }), []string{"CompleteAttachmentUploadInput.ClientToken"}},

		// GetAttachment
		{"nil input", "GetAttachment", func(ctx context.Context, c *participant.Client) error {
			_, err := c.GetAttachment(ctx, nil)
			return err
		}, []string{"GetAttachmentInput.ConnectionToken", "GetAttachmentInput.AttachmentID"}},
		{"attachment id too long", "GetAttachment", ga(func(in *participant.GetAttachmentInput) { in.AttachmentID = long(257) }), []string{"GetAttachmentInput.AttachmentID"}},
		{"url expiry under 5", "GetAttachment", ga(func(in *participant.GetAttachmentInput) { in.URLExpiryInSeconds = 4 }), []string{"GetAttachmentInput.URLExpiryInSeconds"}},
		{"url expiry over 300", "GetAttachment", ga(func(in *participant.GetAttachmentInput) { in.URLExpiryInSeconds = 301 }), []string{"GetAttachmentInput.URLExpiryInSeconds"}},
		{"url expiry negative", "GetAttachment", ga(func(in *participant.GetAttachmentInput) { in.URLExpiryInSeconds = -1 }), []string{"GetAttachmentInput.URLExpiryInSeconds"}},

		// DescribeView
		{"nil input", "DescribeView", func(ctx context.Context, c *participant.Client) error {
			_, err := c.DescribeView(ctx, nil)
			return err
		}, []string{"DescribeViewInput.ConnectionToken", "DescribeViewInput.ViewToken"}},
		{"view token too long", "DescribeView", dv(func(in *participant.DescribeViewInput) { in.ViewToken = long(1001) }), []string{"DescribeViewInput.ViewToken"}},

		// GetAuthenticationUrl
		{"nil input", "GetAuthenticationUrl", func(ctx context.Context, c *participant.Client) error {
			_, err := c.GetAuthenticationUrl(ctx, nil)
			return err
		}, []string{"GetAuthenticationUrlInput.ConnectionToken", "GetAuthenticationUrlInput.SessionID", "GetAuthenticationUrlInput.RedirectURI"}},
		{"session id 35", "GetAuthenticationUrl", gau(func(in *participant.GetAuthenticationUrlInput) { in.SessionID = valSession[:35] }), []string{"GetAuthenticationUrlInput.SessionID"}},
		{"session id 37", "GetAuthenticationUrl", gau(func(in *participant.GetAuthenticationUrlInput) { in.SessionID = valSession + "0" }), []string{"GetAuthenticationUrlInput.SessionID"}},
		{"redirect uri too long", "GetAuthenticationUrl", gau(func(in *participant.GetAuthenticationUrlInput) { in.RedirectURI = long(1025) }), []string{"GetAuthenticationUrlInput.RedirectURI"}},

		// CancelParticipantAuthentication
		{"nil input", "CancelParticipantAuthentication", func(ctx context.Context, c *participant.Client) error {
			_, err := c.CancelParticipantAuthentication(ctx, nil)
			return err
		}, []string{"CancelParticipantAuthenticationInput.ConnectionToken", "CancelParticipantAuthenticationInput.SessionID"}},
		{"session id too short", "CancelParticipantAuthentication", cpa(func(in *participant.CancelParticipantAuthenticationInput) { in.SessionID = "short" }), []string{"CancelParticipantAuthenticationInput.SessionID"}},
		{"connection token too long", "CancelParticipantAuthentication", cpa(func(in *participant.CancelParticipantAuthenticationInput) {
			in.ConnectionToken = participant.Token(long(1001))
		}), []string{"CancelParticipantAuthenticationInput.ConnectionToken"}},
	}
	for _, tt := range tests {
		t.Run(tt.op+"/"+tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.call(t.Context(), c)
			var oe *smithy.OperationError
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, tt.op, oe.OperationName)
			assert.Equal(t, "ConnectParticipant", oe.ServiceID)
			var ip *smithy.InvalidParamsError
			require.ErrorAs(t, err, &ip)
			var got []string
			for _, e := range ip.Errs() {
				var pe smithy.InvalidParamError
				if errors.As(e, &pe) {
					got = append(got, pe.Field())
				}
			}
			assert.Equal(t, tt.fields, got, "%v", err)
			assert.NotContains(t, err.Error(), "xxxxxxxxxx", "the error echoes a long value")
		})
	}
	t.Cleanup(func() {
		assert.Zero(t, sent.Load(), "invalid input must not be sent")
	})
}

// TestOperationValidationBoundaries sends the largest and smallest valid
// values: none may be rejected client-side.
func TestOperationValidationBoundaries(t *testing.T) {
	t.Parallel()
	var sent atomic.Int32
	c, mux := setup(t)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		sent.Add(1)
		_, _ = w.Write([]byte(`{}`))
	})
	long := func(n int) string { return strings.Repeat("é", n) }
	tok := participant.Token(strings.Repeat("t", 1000))
	calls := []func(ctx context.Context) error{
		func(ctx context.Context) error {
			_, err := c.CreateParticipantConnection(ctx, &participant.CreateParticipantConnectionInput{ParticipantToken: tok, Type: []participant.ConnectionType{participant.ConnectionTypeWebsocket, participant.ConnectionTypeConnectionCredentials, participant.ConnectionTypeWebRTCConnection}})
			return err
		},
		func(ctx context.Context) error {
			_, err := c.SendMessage(ctx, &participant.SendMessageInput{ConnectionToken: tok, ContentType: participant.ContentType(long(100)), Content: long(16384), ClientToken: long(500)})
			return err
		},
		func(ctx context.Context) error {
			_, err := c.GetTranscript(ctx, &participant.GetTranscriptInput{ConnectionToken: tok, ContactID: long(256), MaxResults: 100, NextToken: long(1000),
				ScanDirection: participant.ScanDirectionForward, SortOrder: participant.SortOrderDescending, StartPosition: &participant.StartPosition{ID: long(256), MostRecent: 100}})
			return err
		},
		func(ctx context.Context) error {
			_, err := c.GetTranscript(ctx, &participant.GetTranscriptInput{ConnectionToken: "t", MaxResults: 0, StartPosition: &participant.StartPosition{}})
			return err
		},
		func(ctx context.Context) error {
			_, err := c.StartAttachmentUpload(ctx, &participant.StartAttachmentUploadInput{ConnectionToken: tok, ContentType: long(255), AttachmentSizeInBytes: 1, AttachmentName: long(256), ClientToken: long(500)})
			return err
		},
		func(ctx context.Context) error {
			_, err := c.CompleteAttachmentUpload(ctx, &participant.CompleteAttachmentUploadInput{ConnectionToken: tok, AttachmentIDs: []string{long(256)}, ClientToken: "k"})
			return err
		},
		func(ctx context.Context) error {
			_, err := c.GetAttachment(ctx, &participant.GetAttachmentInput{ConnectionToken: tok, AttachmentID: long(256), URLExpiryInSeconds: 5})
			return err
		},
		func(ctx context.Context) error {
			_, err := c.GetAttachment(ctx, &participant.GetAttachmentInput{ConnectionToken: tok, AttachmentID: "a", URLExpiryInSeconds: 300})
			return err
		},
		func(ctx context.Context) error {
			_, err := c.DescribeView(ctx, &participant.DescribeViewInput{ConnectionToken: tok, ViewToken: long(1000)})
			return err
		},
		func(ctx context.Context) error {
			_, err := c.GetAuthenticationUrl(ctx, &participant.GetAuthenticationUrlInput{ConnectionToken: tok, SessionID: long(36), RedirectURI: long(1024)})
			return err
		},
		func(ctx context.Context) error {
			_, err := c.CancelParticipantAuthentication(ctx, &participant.CancelParticipantAuthenticationInput{ConnectionToken: tok, SessionID: valSession})
			return err
		},
		func(ctx context.Context) error {
			_, err := c.DisconnectParticipant(ctx, &participant.DisconnectParticipantInput{ConnectionToken: tok, ClientToken: long(500)})
			return err
		},
	}
	for i, call := range calls {
		assert.NoError(t, call(t.Context()), "call %d", i)
	}
	assert.EqualValues(t, len(calls), sent.Load())
}
