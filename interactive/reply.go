package interactive

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/connectchat/participant/internal/wire"
)

// Reply is what a customer sends to answer an interactive message: the
// ContentType and Content of a SendMessage.
type Reply struct {
	ContentType string
	Content     string
}

// The SendMessage limits a Reply keeps, in characters.
const (
	maxTextReply        = 1024
	maxInteractiveReply = 12288
)

func textReply(s string) (Reply, error) {
	if n := utf8.RuneCountInString(s); n < 1 || n > maxTextReply {
		return Reply{}, fmt.Errorf("interactive: a text reply must be 1 to %d characters, this one has %d", maxTextReply, n)
	}
	return Reply{ContentType: wire.ContentTypePlainText, Content: s}, nil
}

func jsonReply(contentType string, v any) (Reply, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return Reply{}, fmt.Errorf("interactive: building a reply: %w", err)
	}
	limit := maxTextReply
	if contentType == ResponseContentType {
		limit = maxInteractiveReply
	}
	if n := utf8.RuneCount(b); n > limit {
		return Reply{}, fmt.Errorf("interactive: the reply has %d characters, more than the %d SendMessage takes for %s", n, limit, contentType)
	}
	return Reply{ContentType: contentType, Content: string(b)}, nil
}

// Response is a decoded interactive.response: what a customer's widget
// sent for an action button or a view.
type Response struct {
	// TemplateType is the template answered, when the response names it
	// (at the top, or in data.templateType for action buttons).
	TemplateType string `json:"templateType,omitempty"`
	Version      string `json:"version,omitempty"`
	// Action is the action taken: SHOW_MORE, PREVIOUS_OPTIONS, a view's
	// action name, or a choice's title.
	Action string `json:"action"`
	// Data is the rest: a view's output, an action button's paging state.
	Data json.RawMessage `json:"data,omitempty"`
}

// DecodeResponse decodes the content of an interactive.response. It fails
// on content over MaxContentBytes or that is not a JSON object with an
// action.
func DecodeResponse(content string) (*Response, error) {
	if len(content) > MaxContentBytes {
		return nil, fmt.Errorf("interactive: response of %d bytes, more than %d: %w", len(content), MaxContentBytes, ErrTooLarge)
	}
	var r Response
	if err := strictObject([]byte(content), &r); err != nil {
		return nil, fmt.Errorf("interactive: not an interactive response: %w", err)
	}
	if r.Action == "" {
		return nil, errors.New("interactive: not an interactive response: action is missing")
	}
	if r.TemplateType == "" && len(r.Data) > 0 {
		var inner struct {
			TemplateType string `json:"templateType"`
		}
		if json.Unmarshal(r.Data, &inner) == nil {
			r.TemplateType = inner.TemplateType
		}
	}
	return &r, nil
}

// NewResponse builds an interactive.response for a template:
// {"templateType":…,"version":"1.0","action":…,"data":…}, the shape the
// hosted widget sends for a view. data may be nil (sent as {}).
func NewResponse(templateType, action string, data any) (Reply, error) {
	if templateType == "" || action == "" {
		return Reply{}, errors.New("interactive: a response needs a template type and an action")
	}
	if data == nil {
		data = struct{}{}
	}
	return jsonReply(ResponseContentType, struct {
		TemplateType string `json:"templateType"`
		Version      string `json:"version"`
		Action       string `json:"action"`
		Data         any    `json:"data"`
	}{templateType, Version, action, data})
}

// Submit builds the reply to a view: its action and output, as the hosted
// widget sends when the customer finishes the view.
func (v *ViewResource) Submit(action string, output any) (Reply, error) {
	return NewResponse(TypeViewResource, action, output)
}

// Choice is one numbered answer to an interactive message.
type Choice struct {
	// Number counts from 1, in the order the template lists its choices.
	Number int
	// Title is the choice's own text; Label is how to show it (with a
	// subtitle, a card's title or a slot's date).
	Title string
	Label string
	// Reply is what to send for the choice.
	Reply Reply
	err   error // why Reply could not be built
}

// Choices returns the answers a customer can pick, numbered from 1. A
// ViewResource and an Unknown template have none; ListPicker and Panel
// links are not choices.
func (m *Message) Choices() []Choice {
	var out []Choice
	switch t := m.Template.(type) {
	case *ListPicker:
		c := t.Content
		out = pickerChoices(out, c.Elements, paging{TypeListPicker, c.ListID, c.ReferenceID, c.PreIndex, c.NextIndex})
	case *Panel:
		c := t.Content
		out = pickerChoices(out, c.Elements, paging{TypePanel, c.ListID, c.ReferenceID, c.PreIndex, c.NextIndex})
	case *QuickReply:
		for _, e := range t.Content.Elements {
			r, err := textReply(e.Title)
			out = addChoice(out, e.Title, e.Title, r, err)
		}
	case *TimePicker:
		for _, s := range t.Content.Timeslots {
			r, err := textReply(s.Date)
			out = addChoice(out, s.Date, slotLabel(s, t.Content.TimeZoneOffset), r, err)
		}
	case *Carousel:
		for _, card := range t.Content.Elements {
			out = cardChoices(out, card)
		}
	}
	return out
}

func addChoice(out []Choice, title, label string, r Reply, err error) []Choice {
	return append(out, Choice{Number: len(out) + 1, Title: title, Label: label, Reply: r, err: err})
}

// paging is what a paged ListPicker or Panel sends back with an action
// button.
type paging struct {
	templateType, listID, referenceID string
	pre, next                         *int
}

// pickerChoices adds the choices of a ListPicker's or Panel's elements.
func pickerChoices(out []Choice, elems []Element, p paging) []Choice {
	for _, e := range elems {
		if !e.IsLink() {
			r, err := elementReply(e, p)
			out = addChoice(out, e.Title, elementLabel(e), r, err)
		}
	}
	return out
}

// cardChoices adds the choices of a Carousel card, answered as the widget
// answers them: the card and the choice in a text/plain JSON object.
func cardChoices(out []Choice, card Card) []Choice {
	title, elems := cardElements(card)
	for _, e := range elems {
		if e.IsLink() {
			continue
		}
		r, err := jsonReply(wire.ContentTypePlainText, struct {
			TemplateIdentifier string `json:"templateIdentifier"`
			ListTitle          string `json:"listTitle"`
			SelectionText      string `json:"selectionText"`
		}{card.TemplateIdentifier, title, e.Title})
		out = addChoice(out, e.Title, title+": "+e.Title, r, err)
	}
	return out
}

// elementReply is the reply to a ListPicker or Panel element: its title as
// text, or for an action button the paging response.
func elementReply(e Element, p paging) (Reply, error) {
	if e.ActionDetail != ActionShowMore && e.ActionDetail != ActionPreviousOptions {
		return textReply(e.Title)
	}
	type data struct {
		ActionName   string `json:"actionName"`
		PreIndex     *int   `json:"preIndex,omitempty"`
		NextIndex    *int   `json:"nextIndex,omitempty"`
		ListID       string `json:"listId,omitempty"`
		TemplateType string `json:"templateType"`
		ReferenceID  string `json:"referenceId,omitempty"`
	}
	return jsonReply(ResponseContentType, struct {
		Version string `json:"version"`
		Data    data   `json:"data"`
		Action  string `json:"action"`
	}{Version, data{e.ActionDetail, p.pre, p.next, p.listID, p.templateType, p.referenceID}, e.ActionDetail})
}

func elementLabel(e Element) string {
	if e.Subtitle != "" {
		return e.Title + " (" + e.Subtitle + ")"
	}
	return e.Title
}

// cardElements returns a Carousel card's title and elements.
func cardElements(c Card) (string, []Element) {
	switch t := c.Template.(type) {
	case *Panel:
		return t.Content.Title, t.Content.Elements
	case *ListPicker:
		return t.Content.Title, t.Content.Elements
	}
	return "", nil
}

// slotLayouts are the date forms a Timeslot is read in; the admin guide's
// example has no seconds.
var slotLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04"}

// slotLabel shows a slot's date in the template's time zone, with its
// length; a date it cannot read is shown as written.
func slotLabel(s Timeslot, offset *int) string {
	var at time.Time
	ok := false
	for _, layout := range slotLayouts {
		if t, err := time.Parse(layout, s.Date); err == nil {
			at, ok = t, true
			break
		}
	}
	label := s.Date
	if ok {
		if offset != nil && *offset > -24*60 && *offset < 24*60 {
			at = at.In(time.FixedZone(zoneName(*offset), *offset*60))
		}
		label = at.Format("Mon 2 Jan 2006 15:04 MST")
	}
	if s.Duration > 0 {
		label += fmt.Sprintf(", %d min", s.Duration)
	}
	return label
}

func zoneName(minutes int) string {
	sign := '+'
	if minutes < 0 {
		sign, minutes = '-', -minutes
	}
	return fmt.Sprintf("UTC%c%02d:%02d", sign, minutes/60, minutes%60)
}

// ErrNoChoice is returned (wrapped) by Choose and Parse for an answer that
// is none of the message's choices.
var ErrNoChoice = errors.New("interactive: no such choice")

// Choose returns the reply for choice number n (counting from 1, as
// Choices and Text number them).
func (m *Message) Choose(n int) (Reply, error) {
	cs := m.Choices()
	if n < 1 || n > len(cs) {
		if len(cs) == 0 {
			return Reply{}, fmt.Errorf("%w: a %s message has no numbered choices", ErrNoChoice, m.TemplateType)
		}
		return Reply{}, fmt.Errorf("%w: %d (choose 1 to %d)", ErrNoChoice, n, len(cs))
	}
	c := cs[n-1]
	return c.Reply, c.err
}

// Parse turns what a customer typed into a reply: a choice's number, or
// its title or label (ignoring case and surrounding space). For a
// ViewResource, any text is wrapped as the hosted widget wraps text typed
// while a view is shown (action " ", the text in data.content). Anything
// else is ErrNoChoice: send it as a text/plain message if you like.
func (m *Message) Parse(input string) (Reply, error) {
	in := strings.TrimSpace(input)
	if n, err := strconv.Atoi(in); err == nil {
		return m.Choose(n)
	}
	if _, ok := m.Template.(*ViewResource); ok && in != "" {
		return NewResponse(TypeViewResource, " ", struct {
			Content string `json:"content"`
		}{in})
	}
	for _, c := range m.Choices() {
		if strings.EqualFold(in, c.Title) || strings.EqualFold(in, c.Label) {
			return c.Reply, c.err
		}
	}
	return Reply{}, fmt.Errorf("%w: %q", ErrNoChoice, in)
}

// Title returns the message's prompt: the title of its content ("" for a
// ViewResource or an Unknown template).
func (m *Message) Title() string {
	switch t := m.Template.(type) {
	case *ListPicker:
		return t.Content.Title
	case *Panel:
		return t.Content.Title
	case *QuickReply:
		return t.Content.Title
	case *TimePicker:
		return t.Content.Title
	case *Carousel:
		return t.Content.Title
	}
	return ""
}

// Text renders the message as plain text with numbered choices, for a
// terminal or an SMS bridge: the title, the subtitle, one line per choice
// ("  2. Oranges"), links and a location after them, and a last line
// saying how to answer.
func (m *Message) Text() string {
	var b strings.Builder
	line := func(s string) {
		if s != "" {
			b.WriteString(oneLine(s))
			b.WriteByte('\n')
		}
	}
	var links []Element
	switch t := m.Template.(type) {
	case *ListPicker:
		line(t.Content.Title)
		line(t.Content.Subtitle)
		links = linksOf(t.Content.Elements)
	case *Panel:
		line(t.Content.Title)
		line(t.Content.Subtitle)
		links = linksOf(t.Content.Elements)
	case *QuickReply:
		line(t.Content.Title)
		line(t.Content.Subtitle)
	case *TimePicker:
		line(t.Content.Title)
		line(t.Content.Subtitle)
		if l := t.Content.Location; l != nil {
			line(fmt.Sprintf("Where: %s (%.5f, %.5f)", l.Title, l.Latitude, l.Longitude))
		}
	case *Carousel:
		line(t.Content.Title)
		for _, c := range t.Content.Elements {
			_, elems := cardElements(c)
			links = append(links, linksOf(elems)...)
		}
	case *ViewResource:
		line("A form to fill in (view " + orDash(t.Content.ViewID) + "): answer in your own words.")
		return b.String()
	default:
		line("An interactive message of a kind this program cannot show (" + orDash(m.TemplateType) + ").")
		return b.String()
	}
	cs := m.Choices()
	for _, c := range cs {
		fmt.Fprintf(&b, "  %d. %s\n", c.Number, oneLine(c.Label))
	}
	for _, l := range links {
		fmt.Fprintf(&b, "  link: %s <%s>\n", oneLine(l.Title), oneLine(l.URL))
	}
	if len(cs) > 0 {
		fmt.Fprintf(&b, "Reply with a number from 1 to %d.\n", len(cs))
	}
	return b.String()
}

func linksOf(elems []Element) []Element {
	var out []Element
	for _, e := range elems {
		if e.IsLink() {
			out = append(out, e)
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// oneLine keeps a template's string on one line of text, so that it cannot
// forge a choice line, and drops control characters.
func oneLine(s string) string {
	var b bytes.Buffer
	space := false
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = r == ' '
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}
