// Package interactive decodes the interactive messages of Amazon Connect chat
// (content type application/vnd.amazonaws.connect.message.interactive) into
// Go types, and builds what a customer sends back.
//
// Amazon Connect flows and Amazon Lex bots send interactive messages: a
// JSON template with a templateType, a version and a data object. This
// package knows six templates:
//
//   - ListPicker: a list of up to six choices, each with an optional
//     subtitle and image, and the "Show more" / "Previous options" action
//     buttons of long lists.
//   - Panel: a title, an image and up to ten buttons.
//   - QuickReply: a prompt and a row of short answers.
//   - TimePicker: appointment time slots, with a time zone offset and an
//     optional location.
//   - Carousel: a row of Panel (or ListPicker) cards, each with its own
//     buttons.
//   - ViewResource: a step-by-step guide (a view shown to the customer),
//     answered with the view's action and output.
//
// Any other templateType decodes to [Unknown], which keeps the content as
// it came: nothing is rejected for being new.
//
//	m, err := interactive.Decode(item.Content)
//	if err != nil { ... } // not an interactive message, or too big
//	fmt.Print(m.Text())       // "What would you like?\n  1. Apples\n  2. Oranges\n"
//	r, err := m.Choose(2)     // what the customer sends for "2"
//	client.SendMessage(ctx, &participant.SendMessageInput{ContentType: participant.ContentType(r.ContentType), Content: r.Content, ...})
//
// [Message.Choices], [Message.Text], [Message.Choose] and [Message.Parse]
// turn a template into numbered plain-text choices and a chosen number (or
// its title) back into a [Reply]: what a terminal, an SMS or a WhatsApp
// bridge needs.
//
// # What a customer sends back
//
// A [Reply] is a SendMessage content type and content. It follows what the
// hosted communications widget (amazon-connect-chat-interface) sends, since
// that is what flows and Lex bots are written against:
//
//   - a ListPicker, Panel or QuickReply choice: its title, as text/plain;
//   - a TimePicker slot: the slot's date string, as text/plain;
//   - a choice on a Carousel card: text/plain JSON
//     {"templateIdentifier":…,"listTitle":…,"selectionText":…};
//   - a ListPicker or Panel action button (actionDetail SHOW_MORE or
//     PREVIOUS_OPTIONS): an interactive.response
//     {"version":"1.0","data":{"actionName":…,"preIndex":…,"nextIndex":…,"listId":…,"templateType":…,"referenceId":…},"action":…};
//   - a ViewResource: an interactive.response
//     {"action":…,"data":<the view's output>,"templateType":"ViewResource","version":"1.0"}
//     ([ViewResource.Submit]); text typed while a view is shown goes in
//     data.content with the action " ".
//
// [DecodeResponse] reads interactive.response content on the other side (a
// bot), and [NewResponse] builds one for any template.
//
// # Limits
//
// Decoding is bounded: content over [MaxContentBytes] bytes, a list over
// [MaxElements] elements, or a Carousel inside a Carousel is refused with a
// clear error before or while decoding. The documented limits (six
// ListPicker choices in the admin guide; ten Panel buttons, five Carousel
// cards and 400-character titles in the hosted widget's notes and
// constraints) are the sender's to keep; the hosted widget shows what it can and
// truncates long strings, so this package decodes over-long templates too
// and leaves presentation limits to the caller.
//
// # Where the shapes come from, and the guesses
//
// The shapes follow the Amazon Connect admin guide's "Add interactive
// messages" page (ListPicker, TimePicker, Panel, QuickReply, Carousel and
// their field names), the iOS chat SDK's models
// (amazon-connect-chat-ios, Sources/Core/Models/MessageContent.swift) and
// the hosted widget's renderers. Guesses, where no source says:
//
//   - Unknown fields are ignored; known fields of the wrong JSON type are an
//     error (the widget would fail to render them too).
//   - version is not checked: "1.0" is the only one documented, and a
//     different version decodes with the same shapes.
//   - ListPicker and Panel element "type" ("action", the default, or
//     "hyperlink" with "url" and "target") comes from the hosted widget; a
//     hyperlink element is shown but is not a choice, since the widget sends
//     nothing for it.
//   - preIndex and nextIndex are integers (-1 when there is no previous
//     page); they are sent back as they came.
//   - TimePicker timeZoneOffset is in minutes east of UTC (the admin guide's
//     example uses -420 for UTC-7); a slot's duration is in minutes. A slot
//     whose date is not RFC 3339 is still a choice, labelled with the date
//     as written.
//   - A Carousel's elements are complete templates of their own
//     (templateIdentifier, templateType, version, data); Panel and ListPicker
//     cards are decoded, other card types kept raw.
//   - ViewResource data.content carries viewId, viewToken (for
//     DescribeView) and viewData (an object, or a JSON string of one, as
//     the widget accepts both); it has no fixed choices.
//   - A Reply's Content is at most 12288 characters for interactive.response
//     and 1024 for text/plain, the SendMessage limits; a choice whose reply
//     would be longer is an error from Choose, not a truncated message.
package interactive
