package participant

import "github.com/aws/aws-sdk-go-v2/aws"

// WithServiceRetryRules returns r as the request path uses it: decorated
// with the client's own retry rules. Tests ask it what a call would retry.
func WithServiceRetryRules(r aws.Retryer) aws.RetryerV2 { return serviceRetryRules{asRetryerV2(r)} }
