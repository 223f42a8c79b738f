package participant

import (
	"context"
	"iter"

	"github.com/connectchat/participant/internal/ops"
)

// GetTranscriptInput is the input of [Client.GetTranscript] and
// [Client.Transcript].
//
// The service's defaults: ScanDirection is BACKWARD without a StartPosition
// (from the most recent item towards older ones) and FORWARD with one;
// SortOrder is DESCENDING; MaxResults is 10. FORWARD without a StartPosition
// is rejected by the service, and by this package before any I/O.
type GetTranscriptInput struct {
	// ConnectionToken authenticates the participant. Required.
	ConnectionToken Token `json:"-"`

	// ContactID selects a contact of the current contact chain, such as a
	// past contact of a persistent chat. Empty means the current contact.
	// 1 to 256 characters when set.
	ContactID string

	// MaxResults is the most items per page: 1 to 100. Zero is not sent,
	// so the service's default of 10 applies (aws-sdk-go-v2 would send
	// "MaxResults":0 for a pointer to zero; a page of nothing is never
	// useful).
	MaxResults int32

	// NextToken continues from the page that returned it. 1 to 1000
	// characters when set.
	NextToken string

	// ScanDirection is FORWARD or BACKWARD; empty means the service's
	// default (see above).
	ScanDirection ScanDirection

	// SortOrder is ASCENDING or DESCENDING; empty means the service's
	// default, DESCENDING.
	SortOrder SortOrder

	// StartPosition is where to start reading; nil means the most recent
	// item. A non-nil StartPosition with no member set is sent as {}.
	StartPosition *StartPosition
}

// GetTranscriptOutput is a page of a transcript, the result of
// [Client.GetTranscript].
type GetTranscriptOutput struct {
	// InitialContactID is the first contact of the chat.
	InitialContactID string `json:"InitialContactId,omitempty"`
	// NextToken is where the next page starts; "" on the last page.
	NextToken string `json:"NextToken,omitempty"`
	// Transcript holds the items of the page, in SortOrder.
	Transcript []Item `json:"Transcript,omitempty"`
	// RequestID is the service's id of the request (x-amzn-RequestId).
	RequestID string `json:"-"`
}

func (o *GetTranscriptOutput) setRequestID(id string) { o.RequestID = id }

// checkGetTranscript checks in against the service model.
func checkGetTranscript(in *GetTranscriptInput) validator {
	v := newValidator(ops.GetTranscript, in.ConnectionToken)
	v.optional("ContactID", in.ContactID, 1, 256)
	v.intRange("MaxResults", int64(in.MaxResults), 0, 100)
	v.optional("NextToken", in.NextToken, 1, 1000)
	enum(&v, "ScanDirection", in.ScanDirection, scanDirections)
	enum(&v, "SortOrder", in.SortOrder, sortOrders)
	if sp := in.StartPosition; sp != nil {
		v.optional("StartPosition.ID", sp.ID, 1, 256)
		v.intRange("StartPosition.MostRecent", int64(sp.MostRecent), 0, 100)
	} else if in.ScanDirection == ScanDirectionForward {
		v.add("ScanDirection", "FORWARD needs a StartPosition: the service rejects FORWARD without one; set StartPosition (an item Id, a time, or MostRecent) or use BACKWARD")
	}
	return v
}

// GetTranscript returns one page of the chat's transcript. It needs the
// ConnectionToken. Use [Client.Transcript] to read every page.
//
// Inputs are checked against the service model before any I/O; a violation
// returns a [smithy.InvalidParamsError] naming every bad field, and nothing
// is sent.
//
// See https://docs.aws.amazon.com/connect-participant/latest/APIReference/API_GetTranscript.html
func (c *Client) GetTranscript(ctx context.Context, in *GetTranscriptInput, optFns ...func(*Options)) (*GetTranscriptOutput, error) {
	if in == nil {
		in = &GetTranscriptInput{}
	}
	v := checkGetTranscript(in)
	r, err := c.begin(ctx, &v, optFns)
	if err != nil {
		return nil, err
	}
	body := struct {
		ContactId     string         `json:",omitempty"`
		MaxResults    int32          `json:",omitempty"`
		NextToken     string         `json:",omitempty"`
		ScanDirection ScanDirection  `json:",omitempty"`
		SortOrder     SortOrder      `json:",omitempty"`
		StartPosition *StartPosition `json:",omitempty"`
	}{in.ContactID, in.MaxResults, in.NextToken, in.ScanDirection, in.SortOrder, in.StartPosition}
	return call[GetTranscriptOutput](ctx, c, r, request{op: ops.GetTranscript, tok: in.ConnectionToken, body: body})
}

// Transcript returns an iterator over every item of the transcript from the
// position in describes, following NextToken page by page. It needs the
// ConnectionToken. Items come in the order of the pages and, within each
// page, in SortOrder; see [GetTranscriptInput] for the service's defaults.
// To read the whole chat, the newest page first and each page oldest first
// (what amazon-connect-chatjs does to show history):
//
//	in := &participant.GetTranscriptInput{
//		ConnectionToken: tok,
//		ScanDirection:   participant.ScanDirectionBackward,
//		SortOrder:       participant.SortOrderAscending,
//		MaxResults:      100,
//	}
//	for item, err := range c.Transcript(ctx, in) { ... }
//
// To fill a gap after a reconnect, read FORWARD from the last item seen
// (StartPosition.ID). in is not changed; in.NextToken, when set, is the
// first page's.
//
// The iterator stops after a page without a NextToken or with an empty one,
// and before requesting a NextToken it has already requested (a service
// loop). An error (invalid input, a failed page, the end of ctx) is yielded
// once, with a zero Item, and ends the iteration. Breaking out of the loop
// stops the requests. Each page is one call to [Client.GetTranscript], with
// its retries.
func (c *Client) Transcript(ctx context.Context, in *GetTranscriptInput, optFns ...func(*Options)) iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {
		page := GetTranscriptInput{}
		if in != nil {
			page = *in
		}
		if v := checkGetTranscript(&page); v.err() != nil {
			yield(Item{}, opError(ops.GetTranscript, v.err()))
			return
		}
		seen := map[string]bool{}
		if page.NextToken != "" {
			seen[page.NextToken] = true
		}
		for {
			out, err := c.GetTranscript(ctx, &page, optFns...)
			if err != nil {
				yield(Item{}, err)
				return
			}
			for _, it := range out.Transcript {
				if !yield(it, nil) {
					return
				}
			}
			if out.NextToken == "" || seen[out.NextToken] {
				return
			}
			seen[out.NextToken] = true
			page.NextToken = out.NextToken
		}
	}
}
