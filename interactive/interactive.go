package interactive

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/connectchat/participant/internal/wire"
)

// ContentType is the content type of an interactive message, as a flow or
// bot sends it.
const ContentType = wire.ContentTypeInteractiveMessage

// ResponseContentType is the content type of a customer's answer that is
// not plain text (see [Reply]).
const ResponseContentType = wire.ContentTypeInteractiveResponse

// The template types this package decodes into types of their own.
const (
	TypeListPicker   = "ListPicker"
	TypeTimePicker   = "TimePicker"
	TypePanel        = "Panel"
	TypeQuickReply   = "QuickReply"
	TypeCarousel     = "Carousel"
	TypeViewResource = "ViewResource"
)

// Version is the template version this package writes, the only one
// documented.
const Version = "1.0"

// Decoding limits.
const (
	// MaxContentBytes caps the content Decode and DecodeResponse read: a
	// message's Content is at most 16384 characters, which UTF-8 can make
	// up to 64 KiB.
	MaxContentBytes = 64 << 10
	// MaxElements caps every list of a template (elements, timeslots,
	// carousel cards); the documented limits are far lower (six to ten).
	MaxElements = 100
)

// ErrTooLarge is returned (wrapped) for content over MaxContentBytes or a
// list over MaxElements.
var ErrTooLarge = errors.New("interactive: content over the limits")

// Message is a decoded interactive message.
type Message struct {
	// TemplateType names the template ("ListPicker", ...).
	TemplateType string
	// Version is the template's version ("1.0").
	Version string
	// Template is the decoded data: one of *ListPicker, *TimePicker,
	// *Panel, *QuickReply, *Carousel, *ViewResource, or *Unknown for a
	// template type this package does not know.
	Template Template
	// Raw is the content as it was decoded, byte for byte.
	Raw string
}

// Template is the data of one template type. Its implementations are the
// types of this package; switch on them.
type Template interface {
	// Type returns the templateType the data belongs to.
	Type() string
	// validate checks the decoded data's bounds and required fields.
	validate() error
}

// Image is the image fields the templates share. ImageType is "URL" in
// every documented template.
type Image struct {
	ImageType        string `json:"imageType,omitempty"`
	ImageData        string `json:"imageData,omitempty"`
	ImageDescription string `json:"imageDescription,omitempty"`
}

// ReplyMessage is what the widget shows in place of a template once the
// customer has answered it (data.replyMessage).
type ReplyMessage struct {
	Title    string `json:"title"`
	Subtitle string `json:"subtitle,omitempty"`
	Image
}

// ListPicker is the data of a ListPicker template.
type ListPicker struct {
	ReplyMessage *ReplyMessage     `json:"replyMessage,omitempty"`
	Content      ListPickerContent `json:"content"`
}

// ListPickerContent is a ListPicker's prompt and choices.
type ListPickerContent struct {
	Title    string `json:"title"`
	Subtitle string `json:"subtitle,omitempty"`
	Image
	Elements []Element `json:"elements"`
	// ReferenceID, ListID, PreIndex and NextIndex page through a long
	// list with the SHOW_MORE and PREVIOUS_OPTIONS action buttons.
	ReferenceID string `json:"referenceId,omitempty"`
	ListID      string `json:"listId,omitempty"`
	PreIndex    *int   `json:"preIndex,omitempty"`
	NextIndex   *int   `json:"nextIndex,omitempty"`
}

// Element is a choice of a ListPicker or a Panel.
type Element struct {
	Title    string `json:"title"`
	Subtitle string `json:"subtitle,omitempty"`
	Image
	// ActionDetail marks an action button: ActionShowMore or
	// ActionPreviousOptions.
	ActionDetail string `json:"actionDetail,omitempty"`
	// Type is "action" (or empty) for a choice and "hyperlink" for a link
	// to URL, opened in Target ("_blank" if empty), which is no choice.
	Type   string `json:"type,omitempty"`
	URL    string `json:"url,omitempty"`
	Target string `json:"target,omitempty"`
}

// The action buttons of paged ListPickers and Panels.
const (
	ActionShowMore        = "SHOW_MORE"
	ActionPreviousOptions = "PREVIOUS_OPTIONS"
)

// ElementTypeHyperlink is the Type of a link element.
const ElementTypeHyperlink = "hyperlink"

// IsLink reports whether the element is a link rather than a choice.
func (e Element) IsLink() bool { return strings.EqualFold(e.Type, ElementTypeHyperlink) }

// Panel is the data of a Panel template.
type Panel struct {
	ReplyMessage *ReplyMessage `json:"replyMessage,omitempty"`
	Content      PanelContent  `json:"content"`
}

// PanelContent is a Panel's prompt and buttons.
type PanelContent struct {
	Title    string `json:"title"`
	Subtitle string `json:"subtitle,omitempty"`
	Image
	Elements []Element `json:"elements"`
	// Paging, as in ListPickerContent.
	ReferenceID string `json:"referenceId,omitempty"`
	ListID      string `json:"listId,omitempty"`
	PreIndex    *int   `json:"preIndex,omitempty"`
	NextIndex   *int   `json:"nextIndex,omitempty"`
}

// QuickReply is the data of a QuickReply template.
type QuickReply struct {
	ReplyMessage *ReplyMessage     `json:"replyMessage,omitempty"`
	Content      QuickReplyContent `json:"content"`
}

// QuickReplyContent is a QuickReply's prompt and answers.
type QuickReplyContent struct {
	Title    string             `json:"title"`
	Subtitle string             `json:"subtitle,omitempty"`
	Elements []QuickReplyOption `json:"elements"`
}

// QuickReplyOption is one answer of a QuickReply.
type QuickReplyOption struct {
	Title string `json:"title"`
}

// TimePicker is the data of a TimePicker template.
type TimePicker struct {
	ReplyMessage *ReplyMessage     `json:"replyMessage,omitempty"`
	Content      TimePickerContent `json:"content"`
}

// TimePickerContent is a TimePicker's prompt and slots.
type TimePickerContent struct {
	Title    string `json:"title"`
	Subtitle string `json:"subtitle,omitempty"`
	// TimeZoneOffset is the offset of the times shown, in minutes east of
	// UTC (-420 is UTC-7).
	TimeZoneOffset *int       `json:"timeZoneOffset,omitempty"`
	Location       *Location  `json:"location,omitempty"`
	Timeslots      []Timeslot `json:"timeslots"`
}

// Location is where a TimePicker's appointment takes place.
type Location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Title     string  `json:"title"`
	// Radius is in meters.
	Radius *int `json:"radius,omitempty"`
}

// Timeslot is one appointment slot: Date is an ISO 8601 time
// ("2026-12-07T14:00+00:00"), Duration its length in minutes.
type Timeslot struct {
	Date     string `json:"date"`
	Duration int    `json:"duration"`
}

// Carousel is the data of a Carousel template.
type Carousel struct {
	Content CarouselContent `json:"content"`
}

// CarouselContent is a Carousel's title and cards.
type CarouselContent struct {
	Title    string `json:"title"`
	Elements []Card `json:"elements"`
}

// Card is one card of a Carousel: a template of its own, named by
// TemplateIdentifier. Template is *Panel, *ListPicker or *Unknown.
type Card struct {
	TemplateIdentifier string
	TemplateType       string
	Version            string
	Template           Template
}

type wireCard struct {
	TemplateIdentifier string          `json:"templateIdentifier"`
	TemplateType       string          `json:"templateType"`
	Version            string          `json:"version"`
	Data               json.RawMessage `json:"data"`
}

// MarshalJSON writes the card as the wire has it.
func (c Card) MarshalJSON() ([]byte, error) {
	data, err := json.Marshal(c.Template)
	if err != nil {
		return nil, err
	}
	return json.Marshal(wireCard{TemplateIdentifier: c.TemplateIdentifier, TemplateType: c.TemplateType, Version: c.Version, Data: data})
}

// UnmarshalJSON reads a card, decoding its data by its template type.
func (c *Card) UnmarshalJSON(b []byte) error {
	var w wireCard
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	if w.TemplateType == TypeCarousel {
		return errors.New("a Carousel cannot hold a Carousel")
	}
	t, err := decodeData(w.TemplateType, w.Data)
	if err != nil {
		return err
	}
	*c = Card{TemplateIdentifier: w.TemplateIdentifier, TemplateType: w.TemplateType, Version: w.Version, Template: t}
	return nil
}

// ViewResource is the data of a ViewResource template: a view (a
// step-by-step guide) to show the customer.
type ViewResource struct {
	Content ViewResourceContent `json:"content"`
}

// ViewResourceContent names the view and its input.
type ViewResourceContent struct {
	ViewID string `json:"viewId,omitempty"`
	// ViewToken is what DescribeView takes to return the view.
	ViewToken string `json:"viewToken,omitempty"`
	// ViewData is the view's input: an object, or a JSON string of one.
	ViewData json.RawMessage `json:"viewData,omitempty"`
}

// Unknown is the data of a template type this package does not know, kept
// as it came.
type Unknown struct {
	TemplateType string
	Data         json.RawMessage
}

// MarshalJSON writes the data as it came.
func (u *Unknown) MarshalJSON() ([]byte, error) {
	if len(u.Data) == 0 {
		return []byte("null"), nil
	}
	return u.Data, nil
}

// Type implements Template.
func (l *ListPicker) Type() string { return TypeListPicker }

// Type implements Template.
func (p *Panel) Type() string { return TypePanel }

// Type implements Template.
func (q *QuickReply) Type() string { return TypeQuickReply }

// Type implements Template.
func (t *TimePicker) Type() string { return TypeTimePicker }

// Type implements Template.
func (c *Carousel) Type() string { return TypeCarousel }

// Type implements Template.
func (v *ViewResource) Type() string { return TypeViewResource }

// Type implements Template.
func (u *Unknown) Type() string { return u.TemplateType }

func (l *ListPicker) validate() error {
	return checkList("data.content", l.Content.Title, l.Content.Elements)
}

func (p *Panel) validate() error {
	return checkList("data.content", p.Content.Title, p.Content.Elements)
}

func checkList(at, title string, elems []Element) error {
	if title == "" {
		return fmt.Errorf("%s.title is missing", at)
	}
	if err := checkCount(at+".elements", len(elems), 1); err != nil {
		return err
	}
	for i, e := range elems {
		if e.Title == "" {
			return fmt.Errorf("%s.elements[%d].title is missing", at, i)
		}
	}
	return nil
}

func (q *QuickReply) validate() error {
	if q.Content.Title == "" {
		return errors.New("data.content.title is missing")
	}
	if err := checkCount("data.content.elements", len(q.Content.Elements), 1); err != nil {
		return err
	}
	for i, e := range q.Content.Elements {
		if e.Title == "" {
			return fmt.Errorf("data.content.elements[%d].title is missing", i)
		}
	}
	return nil
}

func (t *TimePicker) validate() error {
	if t.Content.Title == "" {
		return errors.New("data.content.title is missing")
	}
	if err := checkCount("data.content.timeslots", len(t.Content.Timeslots), 1); err != nil {
		return err
	}
	for i, s := range t.Content.Timeslots {
		if s.Date == "" {
			return fmt.Errorf("data.content.timeslots[%d].date is missing", i)
		}
		if s.Duration < 0 {
			return fmt.Errorf("data.content.timeslots[%d].duration is negative", i)
		}
	}
	return nil
}

func (c *Carousel) validate() error {
	if c.Content.Title == "" {
		return errors.New("data.content.title is missing")
	}
	return checkCount("data.content.elements", len(c.Content.Elements), 1)
}

func (v *ViewResource) validate() error { return nil }

func (u *Unknown) validate() error { return nil }

func checkCount(at string, n, least int) error {
	switch {
	case n < least:
		return fmt.Errorf("%s has no entries", at)
	case n > MaxElements:
		return fmt.Errorf("%s has %d entries, more than %d: %w", at, n, MaxElements, ErrTooLarge)
	}
	return nil
}

// wireMessage is the envelope every template shares.
type wireMessage struct {
	TemplateType string          `json:"templateType"`
	Version      string          `json:"version"`
	Data         json.RawMessage `json:"data"`
}

// Decode decodes the content of an interactive message. It fails on
// content over MaxContentBytes, on content that is not a JSON object with a
// templateType and a data object, and on a known template whose fields
// have the wrong types, lack a title, or hold more than MaxElements
// entries. A template type it does not know decodes to *Unknown.
func Decode(content string) (*Message, error) {
	if len(content) > MaxContentBytes {
		return nil, fmt.Errorf("interactive: content of %d bytes, more than %d: %w", len(content), MaxContentBytes, ErrTooLarge)
	}
	var w wireMessage
	if err := strictObject([]byte(content), &w); err != nil {
		return nil, fmt.Errorf("interactive: not an interactive message: %w", err)
	}
	if w.TemplateType == "" {
		return nil, errors.New("interactive: not an interactive message: templateType is missing")
	}
	t, err := decodeData(w.TemplateType, w.Data)
	if err != nil {
		return nil, fmt.Errorf("interactive: %s: %w", w.TemplateType, err)
	}
	return &Message{TemplateType: w.TemplateType, Version: w.Version, Template: t, Raw: content}, nil
}

// strictObject decodes b, which must be one JSON object and nothing more,
// into v.
func strictObject(b []byte, v any) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return errors.New("content is not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("content has data after the JSON object")
	}
	return nil
}

// decodeData decodes a template's data by its type.
func decodeData(templateType string, data json.RawMessage) (Template, error) {
	var t Template
	switch templateType {
	case TypeListPicker:
		t = &ListPicker{}
	case TypePanel:
		t = &Panel{}
	case TypeQuickReply:
		t = &QuickReply{}
	case TypeTimePicker:
		t = &TimePicker{}
	case TypeCarousel:
		t = &Carousel{}
	case TypeViewResource:
		t = &ViewResource{}
	default:
		return &Unknown{TemplateType: templateType, Data: bytes.Clone(data)}, nil
	}
	if len(bytes.TrimSpace(data)) == 0 || bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return nil, errors.New("data is missing")
	}
	if err := strictObject(data, t); err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	if err := t.validate(); err != nil {
		return nil, err
	}
	return t, nil
}

// Encode returns the content of an interactive message holding t, with
// the version "1.0". It is how a bot (or the emulator's) builds a
// template in Go; the result decodes with Decode.
func Encode(t Template) (string, error) {
	if t == nil {
		return "", errors.New("interactive: nil template")
	}
	if err := t.validate(); err != nil {
		return "", fmt.Errorf("interactive: %s: %w", t.Type(), err)
	}
	data, err := json.Marshal(t)
	if err != nil {
		return "", fmt.Errorf("interactive: %s: %w", t.Type(), err)
	}
	b, err := json.Marshal(wireMessage{TemplateType: t.Type(), Version: Version, Data: data})
	if err != nil {
		return "", fmt.Errorf("interactive: %s: %w", t.Type(), err)
	}
	if len(b) > MaxContentBytes {
		return "", fmt.Errorf("interactive: %s: %d bytes, more than %d: %w", t.Type(), len(b), MaxContentBytes, ErrTooLarge)
	}
	return string(b), nil
}
