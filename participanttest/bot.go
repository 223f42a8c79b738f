package participanttest

// DefaultBot returns the bot `participant local --agent bot` runs when it
// is given no script:
//
//   - it greets with "Hi, I am a test bot. Type help to see what I
//     understand.";
//   - a message containing "help" gets the list of what it understands;
//   - one containing "hello" gets "Hello! How can I help you?";
//   - one containing "bye" gets "Goodbye!", and the bot ends the chat;
//   - anything else gets "Sorry, I did not get that. Type help to see what
//     I understand, or bye to end the chat."
//
// Matching ignores case. Change the returned Bot's fields to adjust it.
func DefaultBot() Bot {
	return Bot{
		Greeting: "Hi, I am a test bot. Type help to see what I understand.",
		Rules: []Rule{
			{Contains: "help", Reply: "I answer hello, help and bye; bye ends the chat. Anything else gets a polite shrug."},
			{Contains: "hello", Reply: "Hello! How can I help you?"},
			{Contains: "bye", Reply: "Goodbye!", End: true},
		},
		Fallback: "Sorry, I did not get that. Type help to see what I understand, or bye to end the chat.",
	}
}
