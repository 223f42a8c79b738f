// Package chat runs a participant's live Amazon Connect chat: the session
// engine that the official browser and mobile clients have, for Go. A
// [Session] holds the Participant Service's WebSocket open through network
// loss and delivers every chat item exactly once, in order.
//
//	s, err := chat.Connect(ctx, client, participantToken, nil)
//	if err != nil { ... }
//	defer s.Close()
//	for {
//		ev, err := s.Next(ctx)
//		if err != nil {
//			break // chat.ErrChatEnded, ErrDisconnected, ErrBroken or ErrClosed
//		}
//		switch ev.Kind {
//		case chat.KindMessage:
//			fmt.Println(ev.Item.DisplayName, ev.Item.Content)
//			s.SendReadReceipt(ev.Item.ID)
//		case chat.KindTyping, chat.KindTypingStopped:
//			...
//		}
//	}
//
// client is a *participant.Client, which any number of sessions may share;
// participantToken comes from StartChatContact or CreateParticipant.
//
// # Connecting
//
// [Connect] calls CreateParticipantConnection (WEBSOCKET and
// CONNECTION_CREDENTIALS, ConnectParticipant set), dials the WebSocket with
// github.com/coder/websocket, subscribes to aws/chat and waits for the
// acknowledgement (sent again after a second of silence, given up after four
// tries with [ErrSubscribe]). Then aws/heartbeat and aws/ping go out every
// 10 seconds. [Resume] continues from a [Checkpoint] saved earlier, even in
// another process, delivering only what came after it.
//
// # Events
//
// [Session.Next] returns one [Event] at a time: messages, attachments
// (their later statuses as updates), typing and its end, read and
// delivered receipts, participants joining, leaving, going idle and
// returning, transfers, authentication, the end of the chat, and the
// connection's state (established, lost, re-established, broken). Items of
// types this package does not know come as [KindOther] with their JSON.
// [KindOf] classifies any item the same way, such as those of a
// GetTranscript page read without a session.
// A bot's streamed message (MessageMetadata.MessageCompleted false, numbered
// chunks) is stitched into one message. The WebSocket's content is read
// whether the service sends it as a JSON string (as it does) or as an
// object, and isFromPastSession in either spelling.
//
// # Exactly once, in order
//
// Items are ordered as the service orders them: by AbsoluteTime, then in
// the order the service gave them (their position in a transcript read, or
// their arrival on the socket), never by their random Id; chat.ended is
// always the last event, and there is only one. An item from the WebSocket
// is delivered when it arrives (unless [Options.ReorderWindow] is set);
// one that arrives after a later item was delivered goes out at once with
// [Event.Late] set, never dropped. Copies of an item (the same frame twice, an item both on the socket
// and in the transcript) are dropped by Id. A later version of an item (an
// attachment's new status, a message's receipts) is delivered as an update
// ([Event.Update]), never as a duplicate. The session remembers the ids of
// the last [Options.RecentIDs] (1024) items; see [Options.RecentIDs] for
// why a smaller bound never lets a duplicate through.
//
// # Staying connected
//
// A socket that closes without being asked to, or leaves a heartbeat
// unanswered for 10 seconds, is replaced: a fresh CreateParticipantConnection
// (the WebSocket URL is single-use), a dial and a subscribe, the first at
// once and the next ones after a jittered backoff doubling from 1 second to
// 30, one attempt at a time. If CreateParticipantConnection answers 403 while
// reconnecting, the chat ended while the session was offline: the session
// delivers a [KindChatEnded] event (with Err set) and ends. After every
// reconnect the session reads the transcript forward from shortly before the
// last item it delivered, following NextToken to the end, and merges it with
// what the new socket brings: nothing missed, nothing twice. Until such a
// read succeeds, its starting point stays where the outage began and the
// session's releases are held (at most 4,096 items); a failed read is
// retried with backoff for as long as the chat lasts. A 403 from
// GetTranscript or SendEvent refreshes the ConnectionToken (it may have
// expired); only a 403 from CreateParticipantConnection ends the session.
// The socket is
// replaced before it ages out (59 minutes, make-before-break) and the
// ConnectionToken is refreshed a minute before it expires.
//
// # Sending
//
// [Session.SendMessage] keeps the message's ClientToken, so a retry of
// the same [Message] is acted on once. [Session.SendTyping] sends at most one
// typing event per 10 seconds. [Session.SendReadReceipt] and
// [Session.SendDeliveredReceipt] deduplicate per message, hold a delivered
// receipt 300 ms so that a read can replace it, batch every 5 seconds,
// stop when the chat ends, and drop the 409 the service answers when more
// than two participants are in the chat. Incoming typing ends after 12
// seconds or with that participant's next message ([KindTypingStopped]).
// Each of these is an [Options] field.
//
// # Lifecycle and resources
//
// [Session.Disconnect] leaves the chat (DisconnectParticipant) and waits
// for chat.ended; [Session.Close] stops the session at once, within 100
// ms whatever the socket does. Each WebSocket has a reader and a writer
// (which sends the queued heartbeats and subscribes and exits when idle),
// a processor handles what the readers read, and three lanes make the
// service calls (connection work, transcript reads, the rest), each
// exiting when idle, so that connection work never waits behind a slow
// transcript read; a timer runs the deadlines; no network I/O happens under
// the session's locks. Every queue is bounded, the events waiting for
// [Session.Next] by [Options.MaxPendingEvents]. An idle session runs one
// goroutine, parked reading its socket. Close stops them all.
//
// The session knows its own participant ([Options.ParticipantID], or
// learned from its own sends) and marks its events with [Event.Own].
//
// # Observability
//
// [Options.Logger] receives state changes and reconnects through log/slog,
// never a token and never a WebSocket URL's query. [Session.Stats] counts
// reconnects, gap-filled items, dropped duplicates and more.
//
// [Options.MeterProvider] and [Options.TracerProvider] take smithy-go's
// interfaces, as participant.Options does (OpenTelemetry plugs in through
// smithyotelmetrics.Adapt and smithyoteltracing.Adapt). The meter gets the
// chat.* instruments: chat.sessions.open, chat.connection.losses (by cause:
// heartbeat, closed, error), chat.reconnects, chat.reconnect.failures,
// chat.rotations, chat.token_refreshes, chat.ping.failures,
// chat.gap_fills (by result: ok, failed), chat.gap_fill.items,
// chat.gap_fill.pages, chat.items.delivered, chat.items.duplicates_dropped,
// chat.items.late, chat.items.delivery_lag (seconds from a live item's
// AbsoluteTime to its delivery), chat.events.pending, chat.receipts.sent,
// chat.receipts.failed (by reason: conflict, error), chat.typing.sent,
// chat.typing.throttled and chat.events.dropped (typing dropped past
// Options.MaxPendingEvents). Their attributes are those few fixed values, so
// that many sessions add up without a series per chat; the contact id is
// only on the session's "chat.Session" span, which also notes lost sockets,
// reconnects and failed gap fills, and under which the session's service
// calls are traced with the same providers.
//
// # Testing
//
// Sessions run against participanttest's emulator like against the
// service. Inside a testing/synctest bubble, with the emulator started by
// StartInMemory, the session's timers (heartbeats, backoff, batching,
// rotation) run on fake time: the chaos tests of this package run 1,000
// messages through dropped sockets and silent heartbeats in well under a
// second.
package chat
