package participant

import "errors"

// clientToken returns the ClientToken to send: the caller's, or a new one
// from the resolved options (a UUID v4 by default) when the caller gave
// none. It is made once per call, before the first attempt, so every attempt
// sends the same token.
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
