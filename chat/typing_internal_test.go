package chat

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
)

func TestTypistsExpire(t *testing.T) {
	t.Parallel()
	ty := typists{timeout: 12 * time.Second}
	typing := func(pid string) Event {
		return Event{Kind: KindTyping, Item: participant.Item{ParticipantID: pid}, ParticipantID: pid}
	}
	message := func(pid string, update bool) Event {
		return Event{Kind: KindMessage, Item: participant.Item{ParticipantID: pid}, ParticipantID: pid, Update: update}
	}
	var got []Event
	got = append(got, ty.observe([]Event{typing("agent"), typing("bot")}, t0)...)
	d := ty.deadline()
	assert.True(t, d.Equal(t0.Add(12*time.Second)), "deadline %v, want 12s", d.Sub(t0))
	// An update ends nothing; the agent's message ends its typing.
	got = append(got, ty.observe([]Event{message("agent", true), message("agent", false)}, t0.Add(time.Second))...)
	assert.Empty(t, ty.tick(t0.Add(11*time.Second)))
	got = append(got, ty.tick(t0.Add(12*time.Second))...)
	var kinds []string
	for _, ev := range got {
		kinds = append(kinds, ev.Kind.String()+"/"+ev.ParticipantID)
	}
	want := "Typing/agent Typing/bot Message/agent TypingStopped/agent Message/agent TypingStopped/bot"
	require.Equal(t, want, strings.Join(kinds, " "))
	assert.True(t, ty.deadline().IsZero())
}

func TestTypistsOffAndPast(t *testing.T) {
	t.Parallel()
	off := typists{}
	evs := []Event{{Kind: KindTyping, Item: participant.Item{ParticipantID: "a"}}}
	assert.Equal(t, evs, off.observe(evs, t0))
	assert.True(t, off.deadline().IsZero())
	ty := typists{timeout: time.Second}
	ty.observe([]Event{{Kind: KindTyping, Item: participant.Item{ParticipantID: "a"}, FromPastSession: true}}, t0)
	assert.True(t, ty.deadline().IsZero(), "a past session's typing starts no indicator")
}
