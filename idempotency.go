package participant

import (
	"errors"

	"github.com/connectchat/participant/internal/ops"
)

// clientToken returns the ClientToken a call of op sends: the caller's, or
// a new one from the resolved options (a UUID v4 by default) when the caller
// gave none. The operation asks once, before the first attempt, and puts it
// in the body it builds, so every attempt sends the same token. The error is
// the operation's.
func (r *resolved) clientToken(op *ops.Op, given string) (string, error) {
	if given != "" {
		return given, nil
	}
	t := r.newToken()
	if n := runeLen(t, 500); n < 1 || n > 500 {
		return "", opError(op, errors.New("participant: Options.NewClientToken returned a token that is not 1 to 500 characters"))
	}
	return t, nil
}
