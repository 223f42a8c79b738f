package participant

import (
	"context"
	"errors"
	"iter"
	"net/http"
)

var opGetTranscript = newOperation("GetTranscript", http.MethodPost, "/participant/transcript")

// GetTranscriptInput is the input of [Client.GetTranscript] and
// [Client.Transcript].
//
// The service's defaults: ScanDirection is BACKWARD without a StartPosition
// (from the most recent item towards older ones) and FORWARD with one;
// SortOrder is DESCENDING; MaxResults is 10. FORWARD without a StartPosition
// is rejected by the service, and by this package before any I/O.
type GetTranscriptInput struct {
	// ConnectionToken authenticates the participant. Required.
	ConnectionToken Token

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
	InitialContactID string
	// NextToken is where the next page starts; "" on the last page.
	NextToken string
	// Transcript holds the items of the page, in SortOrder.
	Transcript []Item
	// RequestID is the service's id of the request (x-amzn-RequestId).
	RequestID string
}

// validateGetTranscript checks in against the service model.
func validateGetTranscript(in *GetTranscriptInput) error {
	v := newValidator("GetTranscriptInput")
	v.token("ConnectionToken", in.ConnectionToken)
	v.optional("ContactID", in.ContactID, 1, 256)
	v.intRange("MaxResults", int64(in.MaxResults), 0, 100)
	v.optional("NextToken", in.NextToken, 1, 1000)
	enum(&v, "ScanDirection", in.ScanDirection, ScanDirection("").Values())
	enum(&v, "SortOrder", in.SortOrder, SortOrder("").Values())
	if sp := in.StartPosition; sp != nil {
		v.optional("StartPosition.ID", sp.ID, 1, 256)
		v.intRange("StartPosition.MostRecent", int64(sp.MostRecent), 0, 100)
	} else if in.ScanDirection == ScanDirectionForward {
		v.add("ScanDirection", "FORWARD needs a StartPosition: the service rejects FORWARD without one; set StartPosition (an item Id, a time, or MostRecent) or use BACKWARD")
	}
	return v.err()
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
	if err := validateGetTranscript(in); err != nil {
		return nil, opError(opGetTranscript, err)
	}
	return c.getTranscript(ctx, c.options(optFns), in)
}

// getTranscript sends a checked input.
func (c *Client) getTranscript(ctx context.Context, r *resolved, in *GetTranscriptInput) (*GetTranscriptOutput, error) {
	o := newJSONObject(len(in.ContactID) + len(in.NextToken) + 160)
	o.strIf("ContactId", in.ContactID)
	if in.MaxResults != 0 {
		o.int("MaxResults", int64(in.MaxResults))
	}
	o.strIf("NextToken", in.NextToken)
	o.strIf("ScanDirection", string(in.ScanDirection))
	o.strIf("SortOrder", string(in.SortOrder))
	if in.StartPosition != nil {
		o.raw("StartPosition", in.StartPosition.appendJSON(nil))
	}

	out := &GetTranscriptOutput{}
	err := c.invoke(ctx, r, call{op: opGetTranscript, token: in.ConnectionToken, body: o.bytes()}, func(b []byte, requestID string) error {
		out.RequestID = requestID
		return decodeGetTranscriptOutput(b, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// decodeGetTranscriptOutput decodes the success body.
func decodeGetTranscriptOutput(b []byte, out *GetTranscriptOutput) error {
	return decodeBody(b, func(obj []byte) error {
		var f [3][]byte
		for m := newMembers(obj); m.next(); {
			switch string(m.key) {
			case "InitialContactId":
				f[0] = m.val
			case "NextToken":
				f[1] = m.val
			case "Transcript":
				f[2] = m.val
			}
		}
		return errors.Join(
			decString(f[0], &out.InitialContactID, "InitialContactId"),
			decString(f[1], &out.NextToken, "NextToken"),
			decShapes(f[2], &out.Transcript, "Transcript"),
		)
	})
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
		if err := validateGetTranscript(&page); err != nil {
			yield(Item{}, opError(opGetTranscript, err))
			return
		}
		r := c.options(optFns)
		seen := map[string]bool{}
		if page.NextToken != "" {
			seen[page.NextToken] = true
		}
		for {
			out, err := c.getTranscript(ctx, r, &page)
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
