// Package connectjoin is a ready [bot.JoinFunc] over aws-sdk-go-v2's
// Amazon Connect client: it adds the bot to a chat with CreateParticipant
// (ParticipantRole CUSTOM_BOT) and returns the bot's ParticipantToken.
//
//	cfg, _ := config.LoadDefaultConfig(ctx)
//	r, _ := bot.New(bot.Options{
//		Client: participant.NewFromConfig(cfg),
//		Join:   connectjoin.New(connect.NewFromConfig(cfg), instanceID, "Helper Bot"),
//		Handle: handle,
//	})
//
// Its ClientToken is derived from the contact id and the bot's name
// ([ClientToken]), so that an intake delivered twice, to one process or to
// two, calls CreateParticipant twice with the same token: Amazon Connect
// answers the second call with the first one's participant instead of
// adding a second bot. The same Join works against `participant local`
// (give the connect client its URL as BaseEndpoint), which answers
// CreateParticipant and honours the ClientToken.
//
// It is a module of its own so that the participant module does not
// depend on aws-sdk-go-v2's connect client.
package connectjoin

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/google/uuid"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/bot"
)

// API is the part of *connect.Client that Join calls.
type API interface {
	CreateParticipant(ctx context.Context, in *connect.CreateParticipantInput, optFns ...func(*connect.Options)) (*connect.CreateParticipantOutput, error)
}

// namespace makes ClientTokens of this package differ from any other
// name-based UUID of the same text.
var namespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/connectchat/participant/bot/connectjoin"))

// ClientToken is the CreateParticipant ClientToken of botName in the chat
// of contactID: a name-based UUID (version 5) of both, the same in every
// process and on every delivery.
func ClientToken(contactID, botName string) string {
	// The contact id's length first, so that no two pairs make one text.
	return uuid.NewSHA1(namespace, fmt.Appendf(nil, "%d:%s%s", len(contactID), contactID, botName)).String()
}

// New returns a bot.JoinFunc that adds a CUSTOM_BOT participant named
// botName (its display name, 1 to 256 characters) to the chat of a contact
// of the Amazon Connect instance instanceID, with the ClientToken of
// [ClientToken].
func New(api API, instanceID, botName string) bot.JoinFunc {
	return func(ctx context.Context, contactID string) (participant.Token, error) {
		if api == nil || instanceID == "" || botName == "" {
			return "", errors.New("connectjoin: the connect client, instance id and bot name are required")
		}
		out, err := api.CreateParticipant(ctx, &connect.CreateParticipantInput{
			InstanceId:  aws.String(instanceID),
			ContactId:   aws.String(contactID),
			ClientToken: aws.String(ClientToken(contactID, botName)),
			ParticipantDetails: &types.ParticipantDetailsToAdd{
				ParticipantRole: types.ParticipantRoleCustomBot,
				DisplayName:     aws.String(botName),
			},
		})
		if err != nil {
			return "", fmt.Errorf("connectjoin: CreateParticipant: %w", err)
		}
		if out.ParticipantCredentials == nil || aws.ToString(out.ParticipantCredentials.ParticipantToken) == "" {
			return "", errors.New("connectjoin: CreateParticipant returned no ParticipantToken")
		}
		return participant.Token(aws.ToString(out.ParticipantCredentials.ParticipantToken)), nil
	}
}
