// Package participanttest is a local Amazon Connect Participant Service: an
// in-process, wire-faithful emulator for testing chat applications, widgets,
// bots and this module's own packages without an AWS account. It is shaped
// like net/http/httptest.
//
//	srv := participanttest.NewServer()
//	defer srv.Close()
//	cust, _ := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann"})
//	srv.AddAgent(cust.ContactID, participanttest.EchoAgent{})
//	client := srv.Client() // a *participant.Client for srv.URL
//
// # What it serves
//
// Over HTTP at [Server.URL] (a loopback port, or in memory):
//
//   - The 11 operations of the Participant Service, at their real paths,
//     authenticated by X-Amz-Bearer, every model constraint checked, errors
//     in the service's wire form: status, X-Amzn-ErrorType,
//     x-amzn-RequestId and a JSON {"message": ...} body.
//   - The Amazon Connect operations a backend calls to run a chat:
//     StartChatContact (PUT /contact/chat), CreateParticipant (POST
//     /contact/create-participant) and StopContact (POST /contact/stop).
//     SigV4 headers are accepted and ignored, on every route.
//   - The WebSocket URLs CreateParticipantConnection hands out, speaking
//     the service's protocol: the aws/subscribe ack (content an object with
//     status and topics), aws/heartbeat and aws/ping replies (statusCode
//     and statusContent at the top level), chat items pushed as
//     {"content":"<Item JSON as a string>","contentType":"application/json","topic":"aws/chat"}
//     to every subscribed socket of the contact, the sender's included, and
//     error frames without a topic.
//   - Attachment upload URLs (a PUT that must carry exactly the
//     HeadersToInclude and AttachmentSizeInBytes bytes) and download URLs,
//     answering errors as S3 does.
//   - A stand-in for the customer authentication page that
//     GetAuthenticationUrl returns.
//   - CORS for browser widgets: every response carries
//     Access-Control-Allow-Origin and exposes x-amzn-ErrorType and
//     x-amzn-RequestId; preflights allow the headers amazon-connect-chatjs
//     sends. An unknown route answers 404 UnknownOperationException.
//
// The Go methods of [Server] drive the same state: [Server.StartChat],
// [Server.AddParticipant], [Server.AddAgent], [Server.StopContact],
// [Server.StartAuthentication], [Server.RegisterView], and inspect it:
// [Server.Transcript], [Server.Requests], [Server.Subscribers].
//
// # Chat semantics
//
// StartChatContact adds the customer (participant.joined) and its
// InitialMessage; CreateParticipant adds an agent, bot or supervisor
// (participant.joined). Messages, typing events, receipts and attachments
// go to every subscribed socket. A read or delivered receipt reaches only
// the sender of the message, as a MESSAGEMETADATA item, and fails with 409
// ConflictException while more than two participants are active.
// DisconnectParticipant sends participant.left; when the customer leaves,
// chat.ended follows (to the customer's socket too). StopContact, a bot's
// EndChat and the end of ChatDurationInMinutes send chat.ended. chat.ended
// is terminal: every token of the chat then answers 403
// AccessDeniedException, as do unknown and expired tokens.
//
// Tokens: a ParticipantToken works only for CreateParticipantConnection; a
// ConnectionToken (24 hours) for the other ten operations; a WebSocket URL
// opens one socket, within 100 seconds. Every lifetime is configurable
// ([WithLifetimes]) and measured with the server's [Clock] ([WithClock],
// [ManualClock]), so tests expire tokens without sleeping. Ids and tokens
// come from a seeded generator ([WithSeed]).
//
// Requests with a ClientToken (SendMessage, SendEvent,
// DisconnectParticipant, StartAttachmentUpload, CompleteAttachmentUpload,
// StartChatContact, CreateParticipant) are idempotent: the same token and
// the same body get the first result again, with no second broadcast; the
// same token with a different body is a new request, because
// amazon-connect-chatjs sends every read receipt with one token. A chat
// keeps the results of its last 1,000 such requests, the server those of
// its last 10,000 Amazon Connect requests: an older repeat is a new
// request.
//
// GetTranscript pages in every combination of StartPosition (Id,
// AbsoluteTime, MostRecent or none; "StartPosition":{} counts as none),
// ScanDirection, SortOrder and NextToken; FORWARD without a StartPosition
// is a ValidationException. Persistent chats (StartChatContact's
// PersistentChat) show the past contacts' items with RelatedContactId, and
// GetTranscript's ContactId reads a past contact of the chain.
//
// # Faults
//
// [Server.Inject] adds faults: errors and throttling per operation
// ([Fail], [Throttle]), [Latency], sockets dropped or closed with a code
// ([DropSocket], [CloseSocket], and at once with [Server.DropSockets] and
// [Server.CloseSockets]), unanswered or failing heartbeats
// ([SilenceHeartbeats], [SilencePings], [FailPings]), refused reconnects
// ([RefuseWebSocket], or Fail on CreateParticipantConnection), duplicated
// and reordered frames ([DuplicateFrames], [ReorderFrames]) and error
// frames ([ErrorFrame]). Probabilistic faults draw from the seeded
// generator, so a run replays. [Server.CheckFaults] reports the faults that
// did not fire.
//
// Faults have one text form, the Go calls that build them, which
// [ParseFault] reads and [Fault.String] writes:
//
//	Fail(SendMessage, ThrottlingException).Probability(0.1).Always()
//
// The console's control API, `participant local --fault` (and its
// --fail, --latency and --throttle shorthands) and tests all go through
// it, and every fault, parsed or built in Go, must lie in the ranges
// [Fault] lists: [Server.Inject] refuses one that does not.
//
// # Scripted participants
//
// [EchoAgent] answers each customer message (read receipt, typing, echo);
// [Bot] follows a keyword script; [DefaultBot] is the script `participant
// local --agent bot` runs without one (it answers help, hello and bye, bye
// ending the chat). Both implement [Agent]; write your own against
// [AgentSession]. [WithAgent] adds one to every chat.
//
// A [Bot] sends interactive messages too, as an Amazon Connect flow or a
// Lex bot does: a [Rule]'s Interactive template (ListPicker, TimePicker,
// Panel, QuickReply, Carousel, ViewResource, or any other templateType, as
// JSON; package interactive decodes and builds them) goes out with content
// type application/vnd.amazonaws.connect.message.interactive, and the
// customer's answer (the choice's title as text, or an interactive.response
// for action buttons and views) reaches the bot, which names it with
// [Bot].ChoiceReply. The default bot shows one of each for "list",
// "panel", "quick", "time", "carousel" and "view". SendMessage itself never
// accepts the interactive content type (only the response), as in the
// service.
//
// # In memory and testing/synctest
//
// [Server.StartInMemory] serves over net.Pipe connections only, reached
// through [Server.Transport], [Server.HTTPClient] and [Server.Client]. Inside
// a testing/synctest bubble (create and Close the server inside it) fake
// time then drives retries, latency faults and agent delays.
//
// # Serving it to other programs
//
// [NewUnstartedServer], with its Listener set before [Server.Start], serves
// the emulator on any listener, and [Server.Handler] mounts it in an
// http.Server of your own; `participant local` does so. WebSocket URLs use the Host of the request
// that asked for them, "localhost" becoming 127.0.0.1 because
// amazon-connect-chatjs accepts only wss:// and ws://127.0.0.1: URLs
// ([WithWebSocketBaseURL] overrides this).
//
// A server meant to run for long, or to face clients that may misbehave,
// is bounded: at most 10000 chats are active at once ([WithMaxChats]), the
// request history keeps at most 10000 requests and 16 MiB
// ([WithRequestHistory] and [WithRequestHistoryBytes]; `participant local`
// keeps none), request bodies of the JSON operations are capped at 256 KiB,
// read, write and idle timeouts ([WithTimeouts]) cut clients that
// trickle their requests or hold idle connections, and each WebSocket's
// queue of frames to send is bounded: a client that does not read is
// closed with 1008 once 256 KiB of frames wait for it, or cut when one
// frame has waited for the socket write timeout (10 seconds by default).
// Chats, attachments and sockets stay until Close, as in a test.
//
// # The agent console
//
// A GET of the server's root URL serves a web console (plain embedded
// HTML, CSS and JavaScript; nothing loaded from elsewhere) where a person
// plays either side of a chat: the list of chats, an agent's view that can
// take a chat over from the scripted agent, a customer widget that starts
// new chats, and live fault toggles. The page is a client of the same
// public operations and WebSocket as any other; what only it needs
// (listing chats, faults, expiring tokens) is a small control API under
// /console/api/ that refuses cross-origin and DNS-rebinding requests.
// [WithoutConsole] turns it off.
//
// A customer tab shows its own chat only; the list of chats and the faults
// belong to the agent's and tester's view. The customer's chat accepts
// interactive responses, and each interactive template (ListPicker, Panel,
// QuickReply, TimePicker, Carousel, ViewResource; any other is shown as
// text) is drawn with buttons that send the answer as the hosted widget
// does (see package interactive); images are not loaded, their descriptions
// shown instead. An agent tab that closes leaves its chats
// (DisconnectParticipant on pagehide, with keepalive); an agent the console
// joined whose WebSocket has closed and that no tab has reported in its
// state polls for 30 seconds (a tab that crashed) leaves with
// participant.left at the next poll of any tab.
// A watched chat shows typing (for 12 seconds, or until that participant's
// next message); a message the agent sends shows at once, marked as
// sending, whatever its socket is doing. Faults read as words ("SendMessage
// fails with ThrottlingException, once"), their spec behind a toggle.
// Every control has a label and takes the keyboard focus; /favicon.ico is
// the console's icon.
//
// # Fidelity notes
//
// Where the emulator knowingly differs from the real service, or follows a
// guess where the service's behaviour is not documented:
//
//   - Error messages are close to the service's but not verbatim; most add
//     a "(participanttest: ...)" reason. Validation messages follow the
//     "N validation errors detected: Value at 'field' failed to satisfy
//     constraint: ..." form without echoing values. Unparsable JSON and
//     wrongly typed members answer ValidationException (the service may
//     answer SerializationException).
//   - Validation runs before authentication: a bad input with a bad token
//     answers 400, not 403. A missing X-Amz-Bearer answers 403.
//   - A repeat of an idempotent request is answered from its stored result
//     even after the participant has left or the chat has ended, as long as
//     the token has not expired. Stored results never expire; only the
//     newest 1,000 of a chat (10,000 of Amazon Connect's) are kept.
//   - Amazon Connect's own constraint errors are InvalidParameterException
//     (InvalidRequestException for CreateParticipant, which does not model
//     InvalidParameterException);
//     an unknown or ended contact in StopContact is ContactNotFoundException
//     (410). InstanceId and ContactFlowId are not checked against anything,
//     no contact flow runs, and StartChatContact's Attributes,
//     SegmentAttributes and RelatedContactId are accepted and ignored.
//   - CreateParticipant accepts AGENT and SUPERVISOR besides CUSTOM_BOT,
//     since no agent workspace exists here; the real operation adds only
//     bots.
//   - Events: the customer joins at StartChatContact, agents at
//     CreateParticipant. An agent leaving does not end the chat; the
//     customer leaving does. StopContact sends chat.ended alone, with no
//     participant.left events. An AGENT or CUSTOM_BOT added with
//     CreateParticipant takes the chat over from the scripted agents
//     ([WithAgent]): they leave first, with participant.left, as in a
//     transfer, so read receipts keep working with two active
//     participants; a SUPERVISOR joins beside them. Participants never go
//     idle and never auto-disconnect. Sockets stay open after chat.ended
//     until the client closes them.
//   - Typing events and MESSAGEMETADATA receipts are not transcript
//     items; receipts are recorded in the MessageMetadata.Receipts of the
//     message (per recipient, read and delivered timestamps). A receipt for
//     an unknown message or one's own is accepted and sent to no one.
//     connection.acknowledged is accepted and only marks the participant
//     connected; no CONNECTION_ACK item is sent.
//   - SendMessage accepts text/plain, text/markdown, application/json and
//     the interactive response type, and only those among the contact's
//     SupportedMessagingContentTypes (text/plain alone by default).
//     Interactive messages come only from scripted agents
//     ([AgentSession.SendMessage], a [Rule]'s Interactive), since no flow or
//     Lex bot runs here; their templates are checked by package interactive
//     ([Bot.Validate]), not by a flow. The
//     newer SendMessage output member MessageMetadata
//     (MessageProcessingStatus) is not sent.
//   - GetTranscript: a StartPosition is inclusive (the anchor item is in
//     the page); MostRecent n anchors at the n-th most recent item; with
//     several anchors set, Id wins over AbsoluteTime over MostRecent;
//     MaxResults 0 means 10; a NextToken fixes the scan's direction and
//     position, so ScanDirection and StartPosition beside it are ignored
//     (SortOrder and MaxResults still apply); an unknown Id is a
//     ValidationException; a ContactId outside the chat's chain gives an
//     empty transcript. Ended chats answer 403, so past transcripts need a
//     live chat, as in the service.
//   - Persistent chat: the new contact gets its own ContactId and
//     InitialContactId and starts with a chat.rehydrated event; both
//     RehydrationTypes show the whole chain of past contacts.
//   - WebSocket: only subscribed sockets receive aws/chat items (the iOS
//     SDK's malformed subscribe still subscribes; anything after the first
//     JSON value of a frame is ignored, and a subscribe without readable
//     topics means aws/chat). Frames with another topic, or that are not
//     JSON, get {"message":"Forbidden",...}. A subscribe without aws/chat
//     answers status "failure". Upgrades of unknown, used or expired URLs
//     answer 403 ForbiddenException. The socket lifetime cap (2 hours by
//     default; the real one is not documented) is checked when the client
//     next sends a frame, when the socket is closed with 1001. Frames from a
//     client are limited to 128 KiB. A socket whose client leaves 256 KiB
//     of frames unread is closed with 1008 (policy violation) and what it
//     still sends is dropped; a frame that cannot be written within the
//     socket write timeout cuts the connection. The service's own bounds
//     are not documented.
//   - Refusals carry a machine-readable reason in an
//     X-Participanttest-Reason header (the service sends none), exposed to
//     browsers: no-token, unknown-token, wrong-token (a ParticipantToken
//     where a ConnectionToken belongs, or the reverse), token-expired,
//     chat-ended, participant-left, not-allowed (a CUSTOM_BOT reading a
//     customer's attachment), unknown-url, url-used, url-expired (WebSocket
//     upgrades) and injected-fault (any error a fault caused).
//   - WEBRTC_CONNECTION is not emulated (ValidationException).
//   - Attachments: HeadersToInclude are Content-Type and Content-Disposition;
//     uploads are checked for exactly those headers and the declared size,
//     not for a signature. The attachment scanner is not emulated: items
//     are APPROVED at once. The per-contact limit (100 by default) counts
//     started uploads. Messages of other S3 errors are S3's codes with
//     explanations added.
//   - Authentication: the authentication.* events carry
//     {"SessionId":"<id>"} as Content (the real payload is not documented);
//     the authorization page succeeds at once. A late GetAuthenticationUrl,
//     an unknown SessionId or a finished session answer ValidationException.
//   - DescribeView answers only views registered with [Server.RegisterView];
//     other tokens get ResourceNotFoundException with ResourceId and no
//     ResourceType.
//   - Latency faults delay HTTP operations only; socket frames are never
//     delayed. A Throttle bucket is shared by every caller of its operation
//     (or of all operations), not kept per participant or per account.
//   - Concurrent active chats are capped at 10000 by default
//     ([WithMaxChats], `participant local --max-chats`): past the cap,
//     StartChatContact answers LimitExceededException with HTTP 429, as
//     the Amazon Connect API reference says StartChatContact does when the
//     instance's quota of concurrent active chats is reached (its message
//     here is the model's description of the exception plus a
//     participanttest reason; the service's text is not documented). An
//     ended chat frees its place at once; a chat whose duration ran out is
//     counted until something touches it or the cap is reached. Other rate
//     limits and quotas apply only when injected as faults.
//   - A request body over 256 KiB is refused with 413
//     RequestEntityTooLargeException (the service's own limit and answer
//     are not documented); one that does not arrive within the read
//     timeout answers ValidationException.
package participanttest
