// Package participant is a client for the Amazon Connect Participant Service,
// the chat side of Amazon Connect: the API that customer chat widgets, agent
// apps and bots use to join a chat, send messages and events, read the
// transcript and exchange attachments.
//
// Create one [Client] and share it:
//
//	c := participant.New(participant.Options{Region: "us-east-1"})
//	out, err := c.SendEvent(ctx, &participant.SendEventInput{
//		ConnectionToken: connectionToken,
//		ContentType:     participant.ContentTypeTyping,
//	})
//
// Operation names and their Input and Output types are those of
// aws-sdk-go-v2's connectparticipant package. Fields use Go initialisms
// (ID, URL, ContactID), inputs take values rather than pointers, and times
// are [Time], a time.Time. Outputs and shapes marshal with encoding/json to
// the service's own member names (Id, ContactId, Websocket.Url, times as
// yyyy-MM-ddThh:mm:ss.SSSZ), as the aws CLI prints them; RequestID is not
// part of that JSON.
//
// # Operations
//
// All eleven operations of the service: [Client.CreateParticipantConnection],
// [Client.SendMessage], [Client.SendEvent], [Client.GetTranscript],
// [Client.DisconnectParticipant], [Client.StartAttachmentUpload],
// [Client.CompleteAttachmentUpload], [Client.GetAttachment],
// [Client.DescribeView], [Client.GetAuthenticationUrl] and
// [Client.CancelParticipantAuthentication]. On top of them:
//   - [Client.Transcript] iterates over a whole transcript, page by page;
//   - [Client.UploadAttachment] runs StartAttachmentUpload, the PUT of the
//     file to storage and CompleteAttachmentUpload; [Client.DownloadAttachment]
//     runs GetAttachment and the GET;
//   - [Client.SendTyping], [Client.SendReadReceipt] and
//     [Client.SendDeliveredReceipt] build the events' content.
//
// # Authentication
//
// The service authenticates with bearer tokens in the X-Amz-Bearer header,
// not with SigV4: no AWS credentials are needed. CreateParticipantConnection
// takes the ParticipantToken that StartChatContact or CreateParticipant
// returned to your backend; every other operation takes the ConnectionToken
// it returns. Both are of type [Token], which prints and logs as REDACTED.
//
// # Errors
//
// Every error an operation returns is a *smithy.OperationError with ServiceID
// "ConnectParticipant". Inside it is one of:
//   - a *smithy.InvalidParamsError: the input breaks a constraint of the
//     service model; nothing was sent;
//   - a *smithy.CanceledError: the context ended; errors.Is finds
//     context.Canceled or context.DeadlineExceeded;
//   - a transport failure (*smithyhttp.RequestSendError);
//   - a [*ResponseError] holding the status, request id and attempt count,
//     wrapping the service's error: [AccessDeniedError], [ValidationError],
//     [ThrottlingError], [InternalServerError], [ConflictError],
//     [ResourceNotFoundError], [ServiceQuotaExceededError], or a
//     *smithy.GenericAPIError for a code this package does not model.
//
// Reach any of them with errors.As. The error code comes from the
// X-Amzn-ErrorType header, else the body's code, else its __type, matched
// without regard to case; the header's code survives a body that is cut
// short or not JSON. Error strings never hold a token, a URL query, or more
// than a short excerpt of a body, and control characters from the service
// are escaped so they cannot forge log lines.
//
// # Retries and idempotency
//
// Calls are retried in AWS standard mode through aws-sdk-go-v2's aws/retry:
// three attempts, jittered exponential backoff, a retry quota shared by the
// Client. Any aws.Retryer can replace it ([Options.Retryer]), and
// [Options.RetryMaxAttempts] sets its attempts; quota exhaustion is
// reported with the retryer's own error inside the operation error
// (errors.As finds aws/ratelimit's QuotaExceededError). Three rules go
// beyond aws-sdk-go-v2 and hold with any retryer, because the client asks
// them before the retryer's own: throttling (a ThrottlingException, or any
// HTTP 429) and an InternalServerException are retried, and a failure to
// verify the server's TLS certificate is never retried. Backoff sleeps end when the context ends.
//
// SendMessage, SendEvent, DisconnectParticipant, StartAttachmentUpload and
// CompleteAttachmentUpload carry a ClientToken. When the input has none, the
// call makes a UUID v4 once and sends it on every attempt, so a retried
// request is acted on once; the caller's input is not changed. After a
// timeout or cancellation the outcome is unknown: to try again, send the
// same input with the same ClientToken.
//
// # Observability
//
// [Options.TracerProvider] and [Options.MeterProvider] take smithy-go's
// tracing and metrics interfaces, as aws-sdk-go-v2's service clients do, so
// an OpenTelemetry setup plugs in through smithy-go's adapters:
//
//	c := participant.New(participant.Options{
//		Region:         "us-east-1",
//		TracerProvider: smithyoteltracing.Adapt(otel.GetTracerProvider()),
//		MeterProvider:  smithyotelmetrics.Adapt(otel.GetMeterProvider()),
//	})
//
// Each call is one span named "ConnectParticipant.<Operation>" with an
// "Attempt" child per attempt, and records aws-sdk-go-v2's instruments
// (client.call.duration, client.call.attempts, client.call.errors by error
// code, client.call.attempt_duration, client.call.serialization_duration,
// client.call.deserialization_duration) under the same names, units and
// rpc.service / rpc.method attributes, so dashboards and alerts built for
// the AWS SDK see this client's calls. Throttling shows as
// client.call.errors with exception.type ThrottlingException; attempts the
// retry quota refused count in client.call.retry_quota_exceeded. No span or
// attribute holds a token, a URL or message content. Unset, nothing is
// recorded and a call costs what it did without them. Calls refused by
// input validation fail before any span starts.
//
// # Security
//
// Redirects are never followed: Go's HTTP client would forward X-Amz-Bearer
// to any host. A 3xx answer is a [*ResponseError]. A plain http:// endpoint
// is refused unless it is a loopback address or
// [Options.AllowInsecureEndpoint] is set. The Debug log holds the operation,
// attempt, status, request id, duration and retry decision; never a token, a
// body or a URL query.
package participant
