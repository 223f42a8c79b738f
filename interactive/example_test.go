package interactive_test

import (
	"fmt"

	"github.com/connectchat/participant/interactive"
)

// A terminal or SMS bridge shows a ListPicker as numbered text and turns
// the customer's "2" into the message to send.
func ExampleMessage_Text() {
	content := `{"templateType":"ListPicker","version":"1.0","data":{"content":{
		"title":"What produce would you like to buy?",
		"elements":[{"title":"Apple","subtitle":"$10"},{"title":"Orange","subtitle":"$12"}]}}}`
	m, err := interactive.Decode(content)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(m.Text())
	r, err := m.Parse("2")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.ContentType, r.Content)
	// Output:
	// What produce would you like to buy?
	//   1. Apple ($10)
	//   2. Orange ($12)
	// Reply with a number from 1 to 2.
	// text/plain Orange
}

// A bot builds a template in Go and sends it as an interactive message.
func ExampleEncode() {
	content, err := interactive.Encode(&interactive.QuickReply{Content: interactive.QuickReplyContent{
		Title:    "Was this helpful?",
		Elements: []interactive.QuickReplyOption{{Title: "Yes"}, {Title: "No"}},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(interactive.ContentType)
	fmt.Println(content)
	// Output:
	// application/vnd.amazonaws.connect.message.interactive
	// {"templateType":"QuickReply","version":"1.0","data":{"content":{"title":"Was this helpful?","elements":[{"title":"Yes"},{"title":"No"}]}}}
}

// The "Show more" button of a long ListPicker is answered with an
// interactive.response that the bot decodes.
func ExampleDecodeResponse() {
	m, err := interactive.Decode(`{"templateType":"ListPicker","version":"1.0","data":{"content":{
		"title":"Pick a specialist","listId":"specialists","referenceId":"ref-1","preIndex":-1,"nextIndex":5,
		"elements":[{"title":"Audiologist"},{"title":"Show more","actionDetail":"SHOW_MORE"}]}}}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := m.Parse("show more")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.ContentType)
	resp, err := interactive.DecodeResponse(r.Content)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.TemplateType, resp.Action, string(resp.Data))
	// Output:
	// application/vnd.amazonaws.connect.message.interactive.response
	// ListPicker SHOW_MORE {"actionName":"SHOW_MORE","preIndex":-1,"nextIndex":5,"listId":"specialists","templateType":"ListPicker","referenceId":"ref-1"}
}

// A template type this package does not know is kept as it came.
func ExampleDecode_unknown() {
	m, err := interactive.Decode(`{"templateType":"ApplePay","version":"1.0","data":{"total":"12.00"}}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	u := m.Template.(*interactive.Unknown)
	fmt.Println(u.Type(), string(u.Data), len(m.Choices()))
	// Output:
	// ApplePay {"total":"12.00"} 0
}
