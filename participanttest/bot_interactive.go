package participanttest

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/connectchat/participant/interactive"
)

// Validate checks a bot's script: every rule's Interactive template must
// decode with package interactive (a template type it does not know is
// accepted and sent as is) and fit in a message (16384 characters).
func (b Bot) Validate() error {
	for i, r := range b.Rules {
		if len(r.Interactive) == 0 {
			continue
		}
		if n := utf8.RuneCount(r.Interactive); n > 16384 {
			return fmt.Errorf("participanttest: bot script: rules[%d].interactive has %d characters, more than a message's 16384", i, n)
		}
		if _, err := interactive.Decode(string(r.Interactive)); err != nil {
			return fmt.Errorf("participanttest: bot script: rules[%d].interactive: %w", i, err)
		}
	}
	return nil
}

// messageText is what a bot's rules match a customer message against: its
// content, or for an interactive.response the action it carries.
func messageText(it Item) string {
	if it.ContentType == interactive.ResponseContentType {
		if r, err := interactive.DecodeResponse(it.Content); err == nil {
			return responseText(r)
		}
	}
	return it.Content
}

// responseText is the action of a response; for text typed while a view
// is shown (action " "), the text.
func responseText(r *interactive.Response) string {
	if strings.TrimSpace(r.Action) == "" {
		var typed struct {
			Content string `json:"content"`
		}
		if json.Unmarshal(r.Data, &typed) == nil && typed.Content != "" {
			return typed.Content
		}
	}
	return strings.TrimSpace(r.Action)
}

// answers reports whether it answers the interactive message m, and with
// which choice: one of m's choices as the widget sends it, or any
// interactive.response.
func answers(m *interactive.Message, it Item) (string, bool) {
	if m == nil {
		return "", false
	}
	if it.ContentType == interactive.ResponseContentType {
		if r, err := interactive.DecodeResponse(it.Content); err == nil {
			return responseText(r), true
		}
		return "", false
	}
	for _, c := range m.Choices() {
		if c.Reply.ContentType == it.ContentType && c.Reply.Content == it.Content {
			return c.Title, true
		}
	}
	return "", false
}
