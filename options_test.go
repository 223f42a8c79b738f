package participant_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
)

// captureDoer records the request and answers 200 without any network.
type captureDoer struct {
	mu  sync.Mutex
	url string
}

func (d *captureDoer) Do(r *http.Request) (*http.Response, error) {
	d.mu.Lock()
	d.url = r.URL.String()
	d.mu.Unlock()
	return &http.Response{
		StatusCode: 200,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(strings.NewReader(`{"Id":"i"}`)),
		Request:    r,
	}, nil
}

func TestEndpoints(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    participant.Options
		want    string // URL of SendEvent
		wantErr string
	}{
		{name: "us-east-1", opts: participant.Options{Region: "us-east-1"}, want: "https://participant.connect.us-east-1.amazonaws.com/participant/event"},
		{name: "eu-west-2", opts: participant.Options{Region: "eu-west-2"}, want: "https://participant.connect.eu-west-2.amazonaws.com/participant/event"},
		{name: "fips", opts: participant.Options{Region: "us-east-1", UseFIPS: true}, want: "https://participant.connect-fips.us-east-1.amazonaws.com/participant/event"},
		{name: "dual-stack", opts: participant.Options{Region: "us-east-1", UseDualStack: true}, want: "https://participant.connect.us-east-1.api.aws/participant/event"},
		{name: "fips dual-stack", opts: participant.Options{Region: "us-east-1", UseFIPS: true, UseDualStack: true}, want: "https://participant.connect-fips.us-east-1.api.aws/participant/event"},
		{name: "fips pseudo-region", opts: participant.Options{Region: "fips-us-west-2"}, want: "https://participant.connect-fips.us-west-2.amazonaws.com/participant/event"},
		{name: "fips suffix pseudo-region", opts: participant.Options{Region: "us-west-2-fips"}, want: "https://participant.connect-fips.us-west-2.amazonaws.com/participant/event"},
		{name: "gov", opts: participant.Options{Region: "us-gov-west-1"}, want: "https://participant.connect.us-gov-west-1.amazonaws.com/participant/event"},
		{name: "gov fips quirk", opts: participant.Options{Region: "us-gov-west-1", UseFIPS: true}, want: "https://participant.connect.us-gov-west-1.amazonaws.com/participant/event"},
		{name: "gov fips pseudo-region", opts: participant.Options{Region: "fips-us-gov-west-1"}, want: "https://participant.connect.us-gov-west-1.amazonaws.com/participant/event"},
		{name: "gov fips dual-stack", opts: participant.Options{Region: "us-gov-east-1", UseFIPS: true, UseDualStack: true}, want: "https://participant.connect-fips.us-gov-east-1.api.aws/participant/event"},
		{name: "gov dual-stack", opts: participant.Options{Region: "us-gov-west-1", UseDualStack: true}, want: "https://participant.connect.us-gov-west-1.api.aws/participant/event"},
		{name: "china", opts: participant.Options{Region: "cn-north-1"}, want: "https://participant.connect.cn-north-1.amazonaws.com.cn/participant/event"},
		{name: "china fips", opts: participant.Options{Region: "cn-north-1", UseFIPS: true}, want: "https://participant.connect-fips.cn-north-1.amazonaws.com.cn/participant/event"},
		{name: "china dual-stack", opts: participant.Options{Region: "cn-northwest-1", UseDualStack: true}, want: "https://participant.connect.cn-northwest-1.api.amazonwebservices.com.cn/participant/event"},
		{name: "iso", opts: participant.Options{Region: "us-iso-east-1"}, want: "https://participant.connect.us-iso-east-1.c2s.ic.gov/participant/event"},
		{name: "iso dual-stack unsupported", opts: participant.Options{Region: "us-iso-east-1", UseDualStack: true}, wantErr: "does not support dual-stack"},
		{name: "unknown region falls in aws", opts: participant.Options{Region: "xx-future-1"}, want: "https://participant.connect.xx-future-1.amazonaws.com/participant/event"},
		{name: "missing region", opts: participant.Options{}, wantErr: "missing Region"},
		{name: "invalid region", opts: participant.Options{Region: "us-east-1/../evil"}, wantErr: "invalid Region"},
		{name: "base endpoint wins", opts: participant.Options{Region: "us-east-1", BaseEndpoint: "https://proxy.example.com"}, want: "https://proxy.example.com/participant/event"},
		{name: "base endpoint path kept", opts: participant.Options{BaseEndpoint: "https://proxy.example.com/prefix/"}, want: "https://proxy.example.com/prefix/participant/event"},
		{name: "base endpoint with port", opts: participant.Options{BaseEndpoint: "https://proxy.example.com:8443/a/b"}, want: "https://proxy.example.com:8443/a/b/participant/event"},
		{name: "http loopback", opts: participant.Options{BaseEndpoint: "http://127.0.0.1:8480"}, want: "http://127.0.0.1:8480/participant/event"},
		{name: "http localhost", opts: participant.Options{BaseEndpoint: "http://localhost:8480"}, want: "http://localhost:8480/participant/event"},
		{name: "http ipv6 loopback", opts: participant.Options{BaseEndpoint: "http://[::1]:8480"}, want: "http://[::1]:8480/participant/event"},
		{name: "http remote refused", opts: participant.Options{BaseEndpoint: "http://chat.example.com"}, wantErr: "refusing plain http"},
		{name: "http remote allowed", opts: participant.Options{BaseEndpoint: "http://chat.example.com", AllowInsecureEndpoint: true}, want: "http://chat.example.com/participant/event"},
		{name: "base endpoint and fips", opts: participant.Options{BaseEndpoint: "https://x.example.com", UseFIPS: true}, wantErr: "FIPS"},
		{name: "base endpoint and dual-stack", opts: participant.Options{BaseEndpoint: "https://x.example.com", UseDualStack: true}, wantErr: "dual-stack"},
		{name: "base endpoint bad scheme", opts: participant.Options{BaseEndpoint: "ftp://x.example.com"}, wantErr: "scheme"},
		{name: "base endpoint no host", opts: participant.Options{BaseEndpoint: "https://"}, wantErr: "no host"},
		{name: "base endpoint with query", opts: participant.Options{BaseEndpoint: "https://x.example.com/?a=b"}, wantErr: "query"},
		{name: "base endpoint with user", opts: participant.Options{BaseEndpoint: "https://u:p@x.example.com/"}, wantErr: "credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := &captureDoer{}
			tt.opts.HTTPClient = d
			c := participant.New(tt.opts)
			_, err := c.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: "tok", ContentType: participant.ContentTypeTyping})
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				var oe *smithy.OperationError
				require.ErrorAs(t, err, &oe, "a configuration error is inside the operation error")
				assert.Equal(t, "ConnectParticipant", oe.ServiceID)
				assert.Empty(t, d.url, "no request is sent")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, d.url)
		})
	}
}

func TestMissingRegion(t *testing.T) {
	t.Parallel()
	_, err := participant.New(participant.Options{}).SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: "t", ContentType: participant.ContentTypeTyping})
	var oe *smithy.OperationError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "SendEvent", oe.OperationName)
	assert.ErrorContains(t, err, "missing Region: set Options.Region")
}

func TestNewFromConfig(t *testing.T) {
	t.Parallel()
	d := &captureDoer{}
	cfg := aws.Config{Region: "ap-southeast-2", HTTPClient: d, RetryMaxAttempts: 5, AppID: "my app"}
	c := participant.NewFromConfig(cfg)
	o := c.Options()
	assert.Equal(t, "ap-southeast-2", o.Region)
	assert.Equal(t, 5, o.RetryMaxAttempts)
	assert.Equal(t, "my app", o.AppID)
	_, err := c.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: "t", ContentType: participant.ContentTypeTyping})
	require.NoError(t, err)
	assert.Equal(t, "https://participant.connect.ap-southeast-2.amazonaws.com/participant/event", d.url)
	base := "http://127.0.0.1:9"
	c = participant.NewFromConfig(aws.Config{BaseEndpoint: &base}, func(o *participant.Options) { o.AppID = "x" })
	assert.Equal(t, base, c.Options().BaseEndpoint)
	assert.Equal(t, "x", c.Options().AppID)
}

func TestOptionsNotMutated(t *testing.T) {
	t.Parallel()
	o := participant.Options{Region: "us-east-1"}
	c := participant.New(o, func(o *participant.Options) { o.AppID = "changed" })
	assert.Empty(t, o.AppID, "New changed the caller's Options")
	assert.Equal(t, "changed", c.Options().AppID, "New applies its optFns")
}
