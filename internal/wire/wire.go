// Package wire holds the facts of the service's wire format that more than
// one package needs: the one time layout the service writes, the one lenient
// parse of the times it sends, and which hosts are loopback (where plain
// http:// is allowed).
//
// It replaces the copies that lived in the root package (parseTime,
// formatTime, isLoopback), chat (parseTime in decode.go), participanttest
// (timeLayout and formatTime in wire.go) and cmd/participant (isLoopbackHost
// in local.go, which lacked *.localhost).
package wire

import (
	"encoding/json"
	"net"
	"strconv"
	"strings"
	"time"
)

// TimeLayout is how the service writes times: ISO-8601, UTC, milliseconds.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// FormatTime writes t as the service does.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime reads a time the service sent. It takes any RFC 3339 time (the
// service writes yyyy-MM-ddThh:mm:ss.SSSZ), a time without a zone (read as
// UTC), a zone without a colon, and milliseconds since the Unix epoch as a
// decimal string. ok is false for anything else.
func ParseTime(s string) (t time.Time, ok bool) {
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range [...]string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999999999Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil && ms > 0 {
		return time.UnixMilli(ms).UTC(), true
	}
	return time.Time{}, false
}

// IsLoopback reports whether host (a name or IP address, without a port)
// names this machine: localhost, a name under .localhost, or a loopback IP
// address.
func IsLoopback(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(h, "[]"))
	return ip != nil && ip.IsLoopback()
}

// ReceiptContent is the Content of a read or delivered receipt (SendEvent)
// for the message with the given id: {"messageId":"<id>"}.
func ReceiptContent(messageID string) string {
	b, _ := json.Marshal(struct {
		MessageID string `json:"messageId"`
	}{messageID})
	return string(b)
}
