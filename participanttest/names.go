package participanttest

import (
	"maps"
	"slices"
)

// Operations returns the name of every operation the server answers, the
// Op constants, sorted: the names [Fail], [Throttle] and [Latency] match and
// [Request.Operation] reports.
func Operations() []string {
	ops := []string{OpDescribeView, OpUploadAttachment, OpDownloadAttachment, OpWebSocket, OpAuthorize}
	for _, op := range apiRoutes {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	return ops
}

// ErrorCodes returns the error codes the server knows, sorted: those of the
// Participant Service, of the Amazon Connect operations and of the
// attachment URLs (S3). A [Fail] fault with one of them answers with the
// status the service uses for it.
func ErrorCodes() []string {
	return slices.Sorted(maps.Keys(statusOf))
}
