package participanttest

import "encoding/json"

// DefaultBot returns the bot `participant local --agent bot` runs when it
// is given no script:
//
//   - it greets with "Hi, I am a test bot. Type help to see what I
//     understand.";
//   - a message containing "help" gets the list of what it understands;
//   - one containing "hello" gets "Hello! How can I help you?";
//   - "list", "panel", "quick", "time", "carousel" and "view" get an
//     interactive message of each template (ListPicker, Panel, QuickReply,
//     TimePicker, Carousel, ViewResource), and an answer to it gets "You
//     chose <the choice>.";
//   - one containing "bye" gets "Goodbye!", and the bot ends the chat;
//   - anything else gets "Sorry, I did not get that. Type help to see what
//     I understand, or bye to end the chat."
//
// Matching ignores case. Change the returned Bot's fields to adjust it.
func DefaultBot() Bot {
	return Bot{
		Greeting: "Hi, I am a test bot. Type help to see what I understand.",
		Rules: []Rule{
			{Contains: "help", Reply: "I answer hello, help and bye; bye ends the chat. list, panel, quick, time, carousel and view show an interactive message of each kind. Anything else gets a polite shrug."},
			{Contains: "hello", Reply: "Hello! How can I help you?"},
			{Contains: "list", Interactive: json.RawMessage(sampleListPicker)},
			{Contains: "panel", Interactive: json.RawMessage(samplePanel)},
			{Contains: "quick", Interactive: json.RawMessage(sampleQuickReply)},
			{Contains: "time", Interactive: json.RawMessage(sampleTimePicker)},
			{Contains: "carousel", Interactive: json.RawMessage(sampleCarousel)},
			{Contains: "view", Interactive: json.RawMessage(sampleViewResource)},
			{Contains: "bye", Reply: "Goodbye!", End: true},
		},
		Fallback:    "Sorry, I did not get that. Type help to see what I understand, or bye to end the chat.",
		ChoiceReply: "You chose {choice}.",
	}
}

// The default bot's interactive messages, one of each template, shaped as
// the Amazon Connect admin guide's examples.
const (
	sampleListPicker = `{"templateType":"ListPicker","version":"1.0","data":{` +
		`"replyMessage":{"title":"Thanks for selecting!"},` +
		`"content":{"title":"What produce would you like to buy?","subtitle":"Tap to select option","elements":[` +
		`{"title":"Apple","subtitle":"$10"},{"title":"Orange","subtitle":"$12"},{"title":"Banana","subtitle":"$5"}]}}}`
	samplePanel = `{"templateType":"Panel","version":"1.0","data":{` +
		`"replyMessage":{"title":"Thanks for selecting!"},` +
		`"content":{"title":"How can I help you?","subtitle":"Tap to select option","elements":[` +
		`{"title":"Check order status"},{"title":"Check store hours"},{"title":"Talk to an agent"}]}}}`
	sampleQuickReply = `{"templateType":"QuickReply","version":"1.0","data":{"content":{"title":"Was this helpful?",` +
		`"elements":[{"title":"Yes"},{"title":"No"},{"title":"Not sure"}]}}}`
	sampleTimePicker = `{"templateType":"TimePicker","version":"1.0","data":{` +
		`"replyMessage":{"title":"Thanks for selecting","subtitle":"Appointment selected"},` +
		`"content":{"title":"Schedule appointment","subtitle":"Tap to select option","timeZoneOffset":0,` +
		`"location":{"latitude":47.616299,"longitude":-122.4311,"title":"Main office","radius":1},` +
		`"timeslots":[{"date":"2030-01-07T09:00+00:00","duration":60},{"date":"2030-01-07T13:30+00:00","duration":60},` +
		`{"date":"2030-01-08T10:00+00:00","duration":30}]}}}`
	sampleCarousel = `{"templateType":"Carousel","version":"1.0","data":{"content":{"title":"Which hotel would you like?","elements":[` +
		`{"templateIdentifier":"hotel-1","templateType":"Panel","version":"1.0","data":{"content":{"title":"Bel Air","subtitle":"Downtown",` +
		`"elements":[{"title":"Book room"},{"title":"Call the hotel"}]}}},` +
		`{"templateIdentifier":"hotel-2","templateType":"Panel","version":"1.0","data":{"content":{"title":"Harbour View","subtitle":"By the sea",` +
		`"elements":[{"title":"Book room"},{"title":"Call the hotel"}]}}}]}}}`
	sampleViewResource = `{"templateType":"ViewResource","version":"1.0","data":{"content":{"viewId":"contact-details",` +
		`"viewToken":"contact-details-token","viewData":{"Heading":"Your contact details","Fields":["Name","Email"]}}}}`
)
