package redact_test

import (
	"net/url"
	"testing"

	"github.com/connectchat/participant/internal/redact"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, secret, want string }{
		{"plain", "", "plain"},
		{"token abcdefgh1234 here", "abcdefgh1234", "token REDACTED here"},
		{"short abc stays", "abc", "short abc stays"},
		{"line\nforged", "", `line\nforged`},
		{"bad \xff byte", "", `bad \xff byte`},
		{"sep\u2028x", "", `sep\u2028x`},
		{"zero\u200bwidth", "", `zero\u200bwidth`},
		{"café", "", "café"},
	} {
		assert.Equal(t, tc.want, redact.Text(tc.in, tc.secret), tc.in)
	}
}

func TestScrub(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "a REDACTED b REDACTED", redact.Scrub("a q=1 b q=1", "q=1"))
	assert.Equal(t, "same", redact.Scrub("same", ""))
}

func TestURL(t *testing.T) {
	t.Parallel()
	u, err := url.Parse("https://user:pw@example.com/a%2Fb/c?X-Amz-Signature=s#frag")
	require.NoError(t, err)
	assert.Equal(t, "https://example.com/a%2Fb/c", redact.URL(u))
	assert.Equal(t, "wss://h/p", redact.URLString("wss://h/p?token=secret"))
	assert.Equal(t, "::bad", redact.URLString("::bad?token=secret"))
}
