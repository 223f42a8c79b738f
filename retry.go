package participant

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// serviceRetryRules decorates whichever retryer a call uses (the default,
// the caller's Options.Retryer, either under RetryMaxAttempts) with three
// rules aws-sdk-go-v2's classification lacks, asked before the retryer's
// own:
//
//   - a TLS certificate failure is never retried: it does not heal, and a
//     retry only repeats the handshake with a host that may not be the
//     service;
//   - any HTTP 429 that decoded to an error is retried as throttling,
//     whatever code it names, as aws-sdk-java-v2 does;
//   - an InternalServerException is retried.
//
// Everything else (quota, backoff, attempts) is the wrapped retryer's.
type serviceRetryRules struct{ aws.RetryerV2 }

// IsErrorRetryable applies the three rules, then asks the wrapped retryer.
func (r serviceRetryRules) IsErrorRetryable(err error) bool {
	switch retryRule(err) {
	case ruleNever:
		return false
	case ruleRetry:
		return true
	}
	return r.RetryerV2.IsErrorRetryable(err)
}

// The outcomes of retryRule.
const (
	ruleNone  = iota // the wrapped retryer decides
	ruleRetry        // retried
	ruleNever        // never retried
)

// retryRule classifies err by the three rules of serviceRetryRules.
func retryRule(err error) int {
	if isCertificateError(err) {
		return ruleNever
	}
	var re *ResponseError
	if !errors.As(err, &re) || re.Err == nil {
		return ruleNone
	}
	switch re.Err.(type) {
	case *ThrottlingError, *InternalServerError:
		return ruleRetry
	}
	if re.StatusCode == http.StatusTooManyRequests {
		return ruleRetry
	}
	return ruleNone
}

// isCertificateError reports whether err is a failure to verify the server's
// TLS certificate. Such a failure does not heal on retry; retrying it only
// repeats a handshake with a host that may not be the service.
func isCertificateError(err error) bool {
	var (
		verr *tls.CertificateVerificationError
		uerr x509.UnknownAuthorityError
		herr x509.HostnameError
		ierr x509.CertificateInvalidError
	)
	return errors.As(err, &verr) || errors.As(err, &uerr) || errors.As(err, &herr) || errors.As(err, &ierr)
}

// retryerV1 adapts an aws.Retryer that predates aws.RetryerV2.
type retryerV1 struct{ aws.Retryer }

func (r retryerV1) GetAttemptToken(context.Context) (func(error) error, error) {
	return r.GetInitialToken(), nil
}

func asRetryerV2(r aws.Retryer) aws.RetryerV2 {
	if v2, ok := r.(aws.RetryerV2); ok {
		return v2
	}
	return retryerV1{r}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
