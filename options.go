package participant

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/metrics"
	"github.com/aws/smithy-go/tracing"
	"github.com/connectchat/participant/internal/redact"
	"github.com/connectchat/participant/internal/version"
	"github.com/connectchat/participant/internal/wire"
	"github.com/google/uuid"
)

// HTTPClient sends HTTP requests. *http.Client implements it.
//
// A client given in [Options.HTTPClient] that is an *http.Client is copied and
// made to refuse redirects, so that X-Amz-Bearer never reaches another host.
// Any other implementation must not follow redirects itself: this package
// detects a followed redirect only after the fact and fails the call.
type HTTPClient interface {
	Do(*http.Request) (*http.Response, error)
}

// Options configures a [Client]. The zero value needs only a Region (or a
// BaseEndpoint). [New] and every operation copy Options before use; the
// caller's value is never changed.
type Options struct {
	// Region is the AWS region of the Amazon Connect instance, such as
	// "us-east-1". Pseudo-regions such as "fips-us-east-1" select the FIPS
	// endpoint of the region they name.
	Region string

	// BaseEndpoint, when set, is used instead of the regional endpoint: for
	// example the URL of a participanttest.Server or `participant local`. Its
	// path is kept and each operation's path appended to it. Plain http:// is
	// refused unless the host is a loopback address or AllowInsecureEndpoint is
	// set.
	BaseEndpoint string

	// UseFIPS selects the region's FIPS endpoint.
	UseFIPS bool

	// UseDualStack selects the region's dual-stack (IPv4 and IPv6) endpoint.
	UseDualStack bool

	// HTTPClient sends the requests. The default is an *http.Client with a
	// keep-alive pool sized for many concurrent chats (512 idle connections,
	// 256 per host), TLS 1.2 or later, no redirects, the proxy of the
	// environment, and these bounds: 30 s to connect (TCP keep-alive every
	// 30 s), 10 s for the TLS handshake, 1 minute from the end of the
	// request to the response headers, 90 s for an idle pooled connection.
	// To change them, pass an *http.Client of your own; it is copied and
	// made to refuse redirects.
	HTTPClient HTTPClient

	// ResponseBodyTimeout bounds the reading of a response body after its
	// headers arrived, for each attempt: a server that trickles the body
	// fails the attempt (retried like a transport failure) instead of
	// holding the call for as long as the context allows. The error is a
	// net.Error whose Timeout is true, and errors.Is matches it with
	// context.DeadlineExceeded, as with net/http's own timeouts. Zero
	// means 1 minute; a negative value means no bound beyond the context.
	ResponseBodyTimeout time.Duration

	// Retryer decides which failures are retried and how long to wait. The
	// default is aws-sdk-go-v2's standard mode (retry.NewStandard): 3
	// attempts, jittered exponential backoff, a shared retry quota. Any
	// aws.Retryer works; aws.NopRetryer{} disables retries.
	Retryer aws.Retryer

	// RetryMaxAttempts, when above zero, sets the most attempts of
	// whichever Retryer is in use, the first attempt included, in place of
	// the Retryer's own limit (lower or higher), as aws-sdk-go-v2's
	// RetryMaxAttempts does. The Retryer's quota, backoff and retry rules
	// stay as they are, and the quota is accounted the same either way.
	RetryMaxAttempts int

	// Logger, when set, receives one Debug record per attempt: operation,
	// attempt, status, request id, duration and the retry decision. Tokens,
	// bodies and URL queries are never logged.
	Logger *slog.Logger

	// TracerProvider, when set, receives a span per call and per attempt,
	// named and described as aws-sdk-go-v2's service clients do: the
	// operation span "ConnectParticipant.<Operation>" (kind client;
	// rpc.system "aws-api", rpc.service, rpc.method; on failure
	// exception.type, exception.message, api.error_code and
	// api.error_fault) and its "Attempt" children (operation.attempt,
	// http.status_code, aws.request_id; on failure exception.type and
	// retry.decision). OpenTelemetry plugs in through smithy-go's
	// smithyoteltracing.Adapt. A span never holds a token, a URL or
	// anything the participant or the service wrote: exception.message
	// is the status and error code, or the transport failure without its
	// URL.
	TracerProvider tracing.TracerProvider

	// MeterProvider, when set, receives the metrics aws-sdk-go-v2's service
	// clients record, with the same names, units and descriptions, each
	// with the attributes rpc.service ("ConnectParticipant") and rpc.method:
	// client.call.duration, client.call.serialization_duration and
	// client.call.deserialization_duration (per response),
	// client.call.attempts, client.call.attempt_duration, and
	// client.call.errors (per failed attempt, with exception.type: the error
	// code, such as ThrottlingException, or the Go type of a transport
	// failure). One more, client.call.retry_quota_exceeded, counts failed
	// attempts that were not retried because the retry quota was used up.
	// The endpoint, identity and signing durations of aws-sdk-go-v2 do not
	// apply: the endpoint is resolved once per Client and a bearer token is
	// neither resolved nor signed. OpenTelemetry plugs in through
	// smithy-go's smithyotelmetrics.Adapt. With neither provider set,
	// nothing is recorded and calls cost nothing more.
	MeterProvider metrics.MeterProvider

	// AppID names the application in the User-Agent header (app/<AppID>).
	AppID string

	// NewClientToken makes the ClientToken of a call that has none. The
	// default makes a random UUID v4. Tests set it to get fixed tokens.
	NewClientToken func() string

	// AllowInsecureEndpoint permits a BaseEndpoint with plain http:// on a
	// host that is not loopback. Bearer tokens then cross the network
	// unencrypted.
	AllowInsecureEndpoint bool
}

// The bounds of the default HTTP client (see [Options.HTTPClient]) and of
// the response body (see [Options.ResponseBodyTimeout]).
const (
	defaultDialTimeout           = 30 * time.Second
	defaultTLSHandshakeTimeout   = 10 * time.Second
	defaultResponseHeaderTimeout = time.Minute
	defaultIdleConnTimeout       = 90 * time.Second
	defaultResponseBodyTimeout   = time.Minute
)

// copyOptions returns a copy of o with optFns applied.
func copyOptions(o Options, optFns []func(*Options)) Options {
	for _, fn := range optFns {
		if fn != nil {
			fn(&o)
		}
	}
	return o
}

// resolved is Options made ready for requests: every default filled, the
// endpoint parsed, the User-Agent built.
type resolved struct {
	opts        Options
	httpClient  HTTPClient
	baseRetry   aws.Retryer   // the retryer before RetryMaxAttempts
	retryer     aws.RetryerV2 // what the request path uses: serviceRetryRules
	endpoint    *url.URL      // scheme, host and base path (no trailing slash)
	baseURL     string        // endpoint as a string
	endErr      error         // why there is no endpoint
	userAgent   string
	newToken    func() string
	bodyTimeout time.Duration // 0: none
	tel         *telemetry    // nil: no provider set

	// lastCallTel is the telemetry last made for a call's options whose
	// providers differ from these (a chat.Session's, say): calls with the
	// same providers reuse it instead of making instruments each time.
	lastCallTel atomic.Pointer[telemetry]
}

// telemetryFor returns the telemetry of o's providers: base's own, or the
// one base last made for a call with the same providers, or a new one.
// base may be nil.
func (base *resolved) telemetryFor(o Options) *telemetry {
	none := o.TracerProvider == nil && o.MeterProvider == nil
	switch {
	case none:
		return nil
	case base == nil:
		return newTelemetry(o.TracerProvider, o.MeterProvider)
	case base.tel != nil && base.tel.sameAs(o):
		return base.tel
	}
	if t := base.lastCallTel.Load(); t != nil && t.sameAs(o) {
		return t
	}
	t := newTelemetry(o.TracerProvider, o.MeterProvider)
	base.lastCallTel.Store(t)
	return t
}

// resolve fills the defaults of o. base, when set, is the Client's own
// resolution: a call's options that leave HTTPClient or Retryer unset share
// the Client's connection pool and retry quota.
func resolve(o Options, base *resolved) *resolved {
	r := &resolved{opts: o, newToken: o.NewClientToken}
	switch {
	case o.HTTPClient != nil:
		r.httpClient = noRedirects(o.HTTPClient)
	case base != nil:
		r.httpClient = base.httpClient
	default:
		r.httpClient = defaultHTTPClient()
	}
	switch {
	case o.Retryer != nil:
		r.baseRetry = o.Retryer
	case base != nil:
		r.baseRetry = base.baseRetry
	default:
		r.baseRetry = retry.NewStandard()
	}
	rt := r.baseRetry
	if o.RetryMaxAttempts > 0 {
		rt = retry.AddWithMaxAttempts(rt, o.RetryMaxAttempts)
	}
	r.retryer = serviceRetryRules{asRetryerV2(rt)}
	if r.newToken == nil {
		r.newToken = uuid.NewString
	}
	switch d := o.ResponseBodyTimeout; {
	case d == 0:
		r.bodyTimeout = defaultResponseBodyTimeout
	case d > 0:
		r.bodyTimeout = d
	}
	r.tel = base.telemetryFor(o)
	r.userAgent = userAgent(o.AppID)
	r.endpoint, r.endErr = resolveEndpoint(o)
	if r.endpoint != nil {
		r.baseURL = r.endpoint.String()
	}
	return r
}

// defaultHTTPClient is the client used when Options.HTTPClient is nil.
func defaultHTTPClient() *http.Client {
	dialer := &net.Dialer{Timeout: defaultDialTimeout, KeepAlive: 30 * time.Second}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          512,
			MaxIdleConnsPerHost:   256,
			IdleConnTimeout:       defaultIdleConnTimeout,
			TLSHandshakeTimeout:   defaultTLSHandshakeTimeout,
			ExpectContinueTimeout: time.Second,
			ResponseHeaderTimeout: defaultResponseHeaderTimeout,
			TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		},
		CheckRedirect: refuseRedirect,
	}
}

// refuseRedirect makes an *http.Client hand back a 3xx response instead of
// following it; the request path turns it into an error.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// noRedirects returns c, or for an *http.Client a shallow copy that refuses
// redirects: Go forwards custom headers such as X-Amz-Bearer to any redirect
// target.
func noRedirects(c HTTPClient) HTTPClient {
	if hc, ok := c.(*http.Client); ok {
		cp := *hc
		cp.CheckRedirect = refuseRedirect
		return &cp
	}
	if bc, ok := c.(interface {
		GetTransport() *http.Transport
		GetTimeout() time.Duration
	}); ok {
		// aws-sdk-go-v2's BuildableClient follows 307 and 308 with every
		// header; build an equivalent client that does not.
		return &http.Client{Transport: bc.GetTransport(), Timeout: bc.GetTimeout(), CheckRedirect: refuseRedirect}
	}
	return c
}

// userAgent builds the User-Agent header: this library, Go, the platform and
// the application.
func userAgent(appID string) string {
	ua := "connectchat-participant/" + version.Version + " lang/go#" + strings.TrimPrefix(runtime.Version(), "go") +
		" os/" + runtime.GOOS + " md/GOARCH#" + runtime.GOARCH
	if appID != "" {
		ua += " app/" + uaToken(appID)
	}
	return ua
}

// uaToken replaces the characters a User-Agent token cannot hold with '-', as
// aws-sdk-go-v2 does.
func uaToken(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			b[i] = '-'
		}
	}
	if len(b) > 50 {
		b = b[:50]
	}
	return string(b)
}

// A partition is a group of AWS regions that share DNS suffixes.
type partition struct {
	name            string
	regions         *regexp.Regexp
	dnsSuffix       string
	dualStackSuffix string
	dualStack       bool
}

// partitions lists the AWS partitions, the aws partition last: it also takes
// region names that match no partition.
var partitions = []partition{
	{"aws-cn", regexp.MustCompile(`^cn-\w+-\d+$`), "amazonaws.com.cn", "api.amazonwebservices.com.cn", true},
	{"aws-us-gov", regexp.MustCompile(`^us-gov-\w+-\d+$`), "amazonaws.com", "api.aws", true},
	{"aws-iso", regexp.MustCompile(`^us-iso-\w+-\d+$`), "c2s.ic.gov", "api.aws.ic.gov", false},
	{"aws-iso-b", regexp.MustCompile(`^us-isob-\w+-\d+$`), "sc2s.sgov.gov", "api.aws.scloud", false},
	{"aws-iso-e", regexp.MustCompile(`^eu-isoe-\w+-\d+$`), "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk", false},
	{"aws-iso-f", regexp.MustCompile(`^us-isof-\w+-\d+$`), "csp.hci.ic.gov", "api.aws.hci.ic.gov", false},
	{"aws-eusc", regexp.MustCompile(`^eusc-(de)-\w+-\d+$`), "amazonaws.eu", "api.amazonwebservices.eu", false},
	{"aws", regexp.MustCompile(`^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$`), "amazonaws.com", "api.aws", true},
}

func partitionOf(region string) partition {
	for _, p := range partitions {
		if p.regions.MatchString(region) {
			return p
		}
	}
	return partitions[len(partitions)-1]
}

// errMissingRegion is returned (inside the operation error) by every call of
// a Client that has neither a Region nor a BaseEndpoint.
var errMissingRegion = errors.New("participant: missing Region: set Options.Region (such as \"us-east-1\") or Options.BaseEndpoint")

var regionPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// resolveEndpoint returns the base URL of the service for o, following the
// endpoint rules of the service model.
func resolveEndpoint(o Options) (*url.URL, error) {
	if o.BaseEndpoint != "" {
		if o.UseFIPS {
			return nil, errors.New("participant: invalid configuration: FIPS and a custom BaseEndpoint are not supported together")
		}
		if o.UseDualStack {
			return nil, errors.New("participant: invalid configuration: dual-stack and a custom BaseEndpoint are not supported together")
		}
		return parseBaseEndpoint(o.BaseEndpoint, o.AllowInsecureEndpoint)
	}
	if o.Region == "" {
		return nil, errMissingRegion
	}
	region, fips := fipsRegion(o.Region)
	fips = fips || o.UseFIPS
	if !regionPattern.MatchString(region) {
		return nil, fmt.Errorf("participant: invalid Region %q: want a region name such as \"us-east-1\"", redact.Text(region, ""))
	}
	host, err := serviceHost(partitionOf(region), region, fips, o.UseDualStack)
	if err != nil {
		return nil, err
	}
	return &url.URL{Scheme: "https", Host: host}, nil
}

// fipsRegion returns region without a fips- prefix, -fips suffix or
// -fips- infix, and whether it had one.
func fipsRegion(region string) (string, bool) {
	switch {
	case strings.HasPrefix(region, "fips-"):
		return strings.TrimPrefix(region, "fips-"), true
	case strings.HasSuffix(region, "-fips"):
		return strings.TrimSuffix(region, "-fips"), true
	case strings.Contains(region, "-fips-"):
		return strings.Replace(region, "-fips-", "-", 1), true
	}
	return region, false
}

// serviceHost is the service's host name in region of partition p.
func serviceHost(p partition, region string, fips, dualStack bool) (string, error) {
	switch {
	case fips && dualStack:
		if !p.dualStack {
			return "", fmt.Errorf("participant: FIPS and dual-stack are enabled, but partition %s does not support dual-stack", p.name)
		}
		return "participant.connect-fips." + region + "." + p.dualStackSuffix, nil
	case fips && p.name == "aws-us-gov":
		// The service's FIPS endpoint in GovCloud is its plain endpoint.
		return "participant.connect." + region + ".amazonaws.com", nil
	case fips:
		return "participant.connect-fips." + region + "." + p.dnsSuffix, nil
	case dualStack:
		if !p.dualStack {
			return "", fmt.Errorf("participant: dual-stack is enabled, but partition %s does not support dual-stack", p.name)
		}
		return "participant.connect." + region + "." + p.dualStackSuffix, nil
	}
	return "participant.connect." + region + "." + p.dnsSuffix, nil
}

// parseBaseEndpoint checks a BaseEndpoint and returns it without a trailing
// slash.
func parseBaseEndpoint(raw string, allowInsecure bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("participant: invalid BaseEndpoint: %w", err)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("participant: invalid BaseEndpoint %q: the scheme must be https or http", u.Redacted())
	case u.Host == "":
		return nil, fmt.Errorf("participant: invalid BaseEndpoint %q: no host", u.Redacted())
	case u.User != nil:
		return nil, errors.New("participant: invalid BaseEndpoint: it must not hold user credentials")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("participant: invalid BaseEndpoint %q: it must not have a query or fragment", u.Scheme+"://"+u.Host+u.Path)
	case u.Scheme == "http" && !allowInsecure && !wire.IsLoopback(u.Hostname()):
		return nil, fmt.Errorf("participant: refusing plain http BaseEndpoint %q: bearer tokens would cross the network unencrypted; use https, a loopback host, or set AllowInsecureEndpoint", u.Redacted())
	}
	out := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: strings.TrimRight(u.Path, "/")}
	if u.RawPath != "" {
		out.RawPath = strings.TrimRight(u.RawPath, "/")
	}
	return out, nil
}
