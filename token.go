package participant

import (
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"

	"github.com/connectchat/participant/internal/redact"
)

// redacted is what a [Token] prints in place of its value.
const redacted = redact.Placeholder

// Token is a bearer token of the Participant Service: a ParticipantToken (from
// StartChatContact or CreateParticipant, used only by
// CreateParticipantConnection) or a ConnectionToken (from
// CreateParticipantConnection, used by every other operation).
//
// A Token never shows its value by accident: every fmt verb, String and
// log/slog print REDACTED, and so do the types of this package that hold a
// Token or a URL with a secret query, however deep (their Format and
// LogValue print the token as REDACTED and URLs without their query).
// [Token.Reveal] returns the value. JSON keeps the real value, because
// applications persist connection tokens to resume a chat; treat JSON that
// holds a Token as a secret. A struct of your own that holds one of these
// types and is logged through slog's JSONHandler (which marshals it as JSON)
// shows the value; the TextHandler does not. fmt bypasses the redaction in
// two places go vet warns about: the %p verb, and a Token in an unexported
// struct field.
type Token string

// Reveal returns the token's value. Call it only where the value must leave the
// program, such as storage the application trusts.
func (t Token) Reveal() string { return string(t) }

// String returns REDACTED.
func (Token) String() string { return redacted }

// Format prints REDACTED for every verb and flag.
func (Token) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// LogValue makes log/slog print REDACTED.
func (Token) LogValue() slog.Value { return slog.StringValue(redacted) }

// redactedString writes v as fmt's %v (or, with names, %+v) would, but
// following pointers, with every Token as REDACTED and every string field
// whose name ends in URL without its query. It is the Format and LogValue of
// the types that hold a secret behind a pointer or in a URL: fmt prints a
// struct's pointer fields with methods turned off for verbs such as %s, so
// Token's own Format would not run there.
func redactedString(v any, names bool) string {
	var b strings.Builder
	writeRedacted(&b, reflect.ValueOf(v), names, "")
	return b.String()
}

var (
	tokenType = reflect.TypeFor[Token]()
	timeType  = reflect.TypeFor[Time]()
)

func writeRedacted(b *strings.Builder, v reflect.Value, names bool, field string) {
	switch {
	case !v.IsValid():
		b.WriteString("<nil>")
	case v.Type() == tokenType:
		b.WriteString(redacted)
	case v.Type() == timeType:
		b.WriteString(v.Interface().(Time).String())
	case v.Kind() == reflect.String && strings.HasSuffix(field, "URL"):
		b.WriteString(redact.URLString(v.String()))
	case v.Kind() == reflect.Pointer:
		if v.IsNil() {
			b.WriteString("<nil>")
			return
		}
		b.WriteByte('&')
		writeRedacted(b, v.Elem(), names, field)
	case v.Kind() == reflect.Struct:
		b.WriteByte('{')
		for i := range v.NumField() {
			if i > 0 {
				b.WriteByte(' ')
			}
			f := v.Type().Field(i)
			if names {
				b.WriteString(f.Name + ":")
			}
			writeRedacted(b, v.Field(i), names, f.Name)
		}
		b.WriteByte('}')
	case v.Kind() == reflect.Slice:
		b.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				b.WriteByte(' ')
			}
			writeRedacted(b, v.Index(i), names, field)
		}
		b.WriteByte(']')
	default:
		// Strings, numbers, booleans and maps of strings: nothing secret.
		fmt.Fprint(b, v.Interface())
	}
}

// formatRedacted is the Format of a type that holds a secret: every verb
// prints the redacted %v form, %+v and %#v with field names.
func formatRedacted(f fmt.State, v any) {
	_, _ = io.WriteString(f, redactedString(v, f.Flag('+') || f.Flag('#')))
}

// Format prints the credentials with the token as REDACTED, for every verb.
func (x ConnectionCredentials) Format(f fmt.State, _ rune) { formatRedacted(f, x) }

// LogValue makes log/slog print the credentials with the token as REDACTED.
func (x ConnectionCredentials) LogValue() slog.Value {
	return slog.StringValue(redactedString(x, true))
}

// Format prints the attendee with the JoinToken as REDACTED, for every verb.
func (x Attendee) Format(f fmt.State, _ rune) { formatRedacted(f, x) }

// LogValue makes log/slog print the attendee with the JoinToken as REDACTED.
func (x Attendee) LogValue() slog.Value { return slog.StringValue(redactedString(x, true)) }

// LogValue makes log/slog print the meeting data as Format does.
func (x ConnectionData) LogValue() slog.Value { return slog.StringValue(redactedString(x, true)) }

// Format prints the WebSocket without the query of its URL (which carries
// a token), for every verb.
func (x Websocket) Format(f fmt.State, _ rune) { formatRedacted(f, x) }

// LogValue makes log/slog print the WebSocket as Format does.
func (x Websocket) LogValue() slog.Value { return slog.StringValue(redactedString(x, true)) }

// Format prints the upload metadata without the query of its URL (which
// carries a signature), for every verb.
func (x UploadMetadata) Format(f fmt.State, _ rune) { formatRedacted(f, x) }

// LogValue makes log/slog print the upload metadata as Format does.
func (x UploadMetadata) LogValue() slog.Value { return slog.StringValue(redactedString(x, true)) }

// LogValue makes log/slog print the output as Format does.
func (x CreateParticipantConnectionOutput) LogValue() slog.Value {
	return slog.StringValue(redactedString(x, true))
}

// LogValue makes log/slog print the output as Format does.
func (x StartAttachmentUploadOutput) LogValue() slog.Value {
	return slog.StringValue(redactedString(x, true))
}

// Format prints the output without the query of the download URL, for
// every verb.
func (x GetAttachmentOutput) Format(f fmt.State, _ rune) { formatRedacted(f, x) }

// LogValue makes log/slog print the output as Format does.
func (x GetAttachmentOutput) LogValue() slog.Value { return slog.StringValue(redactedString(x, true)) }
