// Package hours is the brain of the example bot (examples/bot): it answers
// questions about opening hours and hands the chat over to a person when
// asked for an agent. The bot runtime's tests run this same code against
// the emulator in process and against a `participant local` process.
package hours

import (
	"context"
	"strings"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/bot"
	"github.com/connectchat/participant/chat"
)

// Replies of the bot.
const (
	HoursReply    = "We're open 9:00-17:00, Monday to Friday."
	HandOverReply = "I'm passing you to a person. Goodbye!"
	DefaultReply  = "I can tell you our opening hours, or pass you to an agent."
)

// Answer returns the reply to a customer's message, and whether the bot
// hands the chat over (and so leaves after replying).
func Answer(text string) (reply string, handOver bool) {
	t := strings.ToLower(text)
	switch {
	case strings.Contains(t, "agent") || strings.Contains(t, "person") || strings.Contains(t, "human"):
		return HandOverReply, true
	case strings.Contains(t, "hour") || strings.Contains(t, "open"):
		return HoursReply, false
	}
	return DefaultReply, false
}

// Handle is the bot's handler (a bot.HandleFunc): it answers each customer
// message, marking it read and showing typing meanwhile, and returns after
// the goodbye of a hand-over, which makes the runtime leave the chat so
// that the contact flow routes it on.
func Handle(ctx context.Context, c *bot.Chat) error {
	for {
		ev, err := c.Next(ctx)
		if err != nil {
			return err
		}
		if ev.Kind != chat.KindMessage || ev.Own || ev.Update || ev.FromPastSession ||
			ev.Item.ParticipantRole != participant.ParticipantRoleCustomer {
			continue
		}
		_ = c.MarkRead(ev.Item.ID)
		stop := c.Typing(ctx) // a model or a lookup would take its time here
		reply, handOver := Answer(ev.Item.Content)
		stop()
		if err := c.Send(ctx, reply); err != nil {
			return err
		}
		if handOver {
			c.Logger().Info("handing over to an agent")
			return nil
		}
	}
}
