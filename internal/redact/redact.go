// Package redact makes text safe for errors and logs: secrets replaced by a
// placeholder, control characters escaped so that text from the network
// cannot forge a log line, and URLs shown without their query (which holds
// presigned signatures or tokens).
//
// It replaces the copies that lived in the root package (cleanText,
// escapeText, redactURL, scrubQuery) and chat (redactURL in socket.go).
package redact

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Placeholder is what a secret shows in its place.
const Placeholder = "REDACTED"

// MinSecretLen is the shortest secret that Text cuts out. Real tokens are
// hundreds of characters; a shorter one cannot be told apart from ordinary
// words, and replacing it would garble error codes.
const MinSecretLen = 8

// Scrub replaces every occurrence of secret in s by Placeholder. An empty
// secret leaves s as it is.
func Scrub(s, secret string) string {
	if secret != "" && strings.Contains(s, secret) {
		return strings.ReplaceAll(s, secret, Placeholder)
	}
	return s
}

// Text makes text from the network safe for logs: secret (when at least
// MinSecretLen bytes) is replaced by Placeholder, and control characters,
// line and paragraph separators, format characters and invalid UTF-8 are
// written as escapes.
func Text(s, secret string) string {
	if len(secret) >= MinSecretLen {
		s = Scrub(s, secret)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= utf8.RuneSelf {
			return escape(s)
		}
	}
	return s
}

func escape(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r):
			if r < 0x10000 {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				fmt.Fprintf(&b, `\U%08x`, r)
			}
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// URL returns scheme://host/path of u, cleaned by Text: no user
// information, query or fragment.
func URL(u *url.URL) string {
	return Text((&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}).String(), "")
}

// URLString is URL for a URL held as text. Text that does not parse as a URL
// is cut at its first '?' or '#'.
func URLString(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.IndexAny(raw, "?#"); i >= 0 {
			raw = raw[:i]
		}
		return Text(raw, "")
	}
	return URL(u)
}
