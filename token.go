package participant

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/connectchat/participant/internal/redact"
)

// redacted is what a [Token] prints in place of its value.
const redacted = redact.Placeholder

// Token is a bearer token of the Participant Service: a ParticipantToken (from
// StartChatContact or CreateParticipant, used only by
// CreateParticipantConnection) or a ConnectionToken (from
// CreateParticipantConnection, used by every other operation).
//
// A Token never shows its value by accident: every fmt verb, String, GoString
// and log/slog print REDACTED. [Token.Reveal] returns the value. JSON keeps the
// real value, because applications persist connection tokens to resume a chat;
// treat JSON that holds a Token as a secret. For the same reason, a struct
// holding a Token that is logged through slog's JSONHandler (which marshals
// it as JSON) shows the value; the TextHandler does not. fmt bypasses the
// redaction in two places go vet warns about: the %p verb, and a Token in an
// unexported struct field.
type Token string

// Reveal returns the token's value. Call it only where the value must leave the
// program, such as storage the application trusts.
func (t Token) Reveal() string { return string(t) }

// String returns REDACTED.
func (Token) String() string { return redacted }

// GoString returns REDACTED, so %#v hides the value too.
func (Token) GoString() string { return redacted }

// Format prints REDACTED for every verb and flag.
func (Token) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// LogValue makes log/slog print REDACTED.
func (Token) LogValue() slog.Value { return slog.StringValue(redacted) }
