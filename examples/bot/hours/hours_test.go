package hours_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/connectchat/participant/examples/bot/hours"
)

func TestAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		reply    string
		handOver bool
	}{
		{"What are your opening HOURS?", hours.HoursReply, false},
		{"are you open on sunday", hours.HoursReply, false},
		{"agent please", hours.HandOverReply, true},
		{"I want a human", hours.HandOverReply, true},
		{"hello", hours.DefaultReply, false},
		{"", hours.DefaultReply, false},
	}
	for _, tc := range tests {
		reply, handOver := hours.Answer(tc.in)
		assert.Equal(t, tc.reply, reply, tc.in)
		assert.Equal(t, tc.handOver, handOver, tc.in)
	}
}
