package participant

import (
	"crypto/rand"
	"errors"

	"github.com/google/uuid"
)

// newUUID returns a random UUID v4 in its 36-character form. It reads
// crypto/rand into a stack array and formats with google/uuid: one
// allocation, where uuid.NewString makes two.
func newUUID() string {
	var u uuid.UUID
	_, _ = rand.Read(u[:])  // crypto/rand.Read never fails
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u.String()
}

// clientToken returns the ClientToken to send: the caller's, or a new one
// from the resolved options when the caller gave none. It is made once per
// call, before the first attempt, so every attempt sends the same token.
func (r *resolved) clientToken(given string) (string, error) {
	if given != "" {
		return given, nil
	}
	t := r.newToken()
	if n := runeLen(t, 500); n < 1 || n > 500 {
		return "", errors.New("participant: Options.NewClientToken returned a token that is not 1 to 500 characters")
	}
	return t, nil
}
