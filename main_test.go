package participant_test

import (
	"testing"

	"github.com/connectchat/participant"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestTokenRedacted is the smallest check of the package's first promise; the
// full walk of every type and verb lives in redaction_test.go.
func TestTokenRedacted(t *testing.T) {
	t.Parallel()
	require.Equal(t, "REDACTED", participant.Token("secret-value").String())
}
