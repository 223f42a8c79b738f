package main

import (
	"net/url"
	"strings"

	"github.com/connectchat/participant/participanttest"
)

// contactEventsOption turns `participant local --contact-events
// URL[,SECRET]` into the emulator's option. The URL must be http or https
// with a host; the secret is whatever follows the first comma.
func contactEventsOption(v string) (participanttest.Option, error) {
	raw, secret, _ := strings.Cut(v, ",")
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usagef("--contact-events %q: want URL[,SECRET] with an http:// or https:// URL, such as http://127.0.0.1:8080/contact-events,s3cret", raw)
	}
	return participanttest.WithContactEvents(u.String(), secret), nil
}
