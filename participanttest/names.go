package participanttest

import (
	"maps"
	"slices"
)

// ErrorCodes returns the error codes the server knows, sorted: those of the
// Participant Service, of the Amazon Connect operations and of the
// attachment URLs (S3). A [Fail] fault with one of them answers with the
// status the service uses for it.
func ErrorCodes() []string {
	return slices.Sorted(maps.Keys(statusOf))
}
