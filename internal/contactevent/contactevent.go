// Package contactevent holds the wire shape of Amazon Connect's contact
// events as EventBridge delivers them ("detail-type": "Amazon Connect
// Contact Event"), shared by the bot runtime, which reads them, and the
// local service, which sends them.
package contactevent

// DetailType is the EventBridge detail-type of Amazon Connect's contact
// events.
const DetailType = "Amazon Connect Contact Event"

// Source is the EventBridge source of Amazon Connect's events.
const Source = "aws.connect"

// SecretHeader is the header that carries the shared secret, unless
// configured otherwise: an EventBridge connection with API key
// authorization sends it on every delivery of its API destination.
const SecretHeader = "X-Contact-Events-Secret"

// Event types and the chat channel, as Amazon Connect writes them.
const (
	TypeInitiated         = "INITIATED"
	TypeConnectedToSystem = "CONNECTED_TO_SYSTEM"
	TypeDisconnected      = "DISCONNECTED"
	ChannelChat           = "CHAT"
)

// Event is an EventBridge event: the envelope and the contact event in
// Detail. Members the bot runtime does not use are kept so that the
// local service sends the whole shape.
type Event struct {
	Version    string   `json:"version"`
	ID         string   `json:"id"`
	DetailType string   `json:"detail-type"`
	Source     string   `json:"source"`
	Account    string   `json:"account"`
	Time       string   `json:"time"`
	Region     string   `json:"region"`
	Resources  []string `json:"resources"`
	Detail     *Detail  `json:"detail"`
}

// Detail is the contact event itself.
type Detail struct {
	EventType                  string `json:"eventType"`
	ContactID                  string `json:"contactId"`
	InitialContactID           string `json:"initialContactId,omitempty"`
	PreviousContactID          string `json:"previousContactId,omitempty"`
	Channel                    string `json:"channel"`
	InstanceARN                string `json:"instanceArn,omitempty"`
	InitiationMethod           string `json:"initiationMethod,omitempty"`
	InitiationTimestamp        string `json:"initiationTimestamp,omitempty"`
	ConnectedToSystemTimestamp string `json:"connectedToSystemTimestamp,omitempty"`
	DisconnectTimestamp        string `json:"disconnectTimestamp,omitempty"`
}
